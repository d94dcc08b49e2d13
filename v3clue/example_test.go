package v3clue_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/cluekit/cluekit/v3clue"
	"github.com/cluekit/cluekit/v3clue/v3cluetest"
)

// Fetch a clue and read its typed field values.
func ExampleClient_GetClue() {
	srv := v3cluetest.NewServer() // a fake 探马 server holding the vendor's example clue
	defer srv.Close()

	c, err := v3clue.New(srv.AppID, srv.AppKey, v3clue.WithBaseURL(srv.URL))
	if err != nil {
		fmt.Println(err)
		return
	}
	clue, err := c.GetClue(context.Background(), &v3clue.GetClueRequest{CustomerID: v3cluetest.ExampleCustomerID})
	if err != nil {
		fmt.Println(err)
		return
	}
	created, _ := clue.CreateTime.Time()
	fmt.Println("customer", clue.CustomerID, "clue:", clue.IsClue, "created", created.Format("2006-01-02 15:04:05 MST"))

	name, _ := clue.Field("name")
	fmt.Println("name:", name.Text())
	mobile, _ := clue.Field("mobile")
	mobiles, err := mobile.Strings()
	fmt.Println("mobiles:", mobiles, err)
	stage, _ := clue.Field("customer_stage")
	id, ok := stage.OptionID()
	fmt.Println("stage option:", id, ok)
	gender, _ := clue.Field("gender")
	fmt.Println("gender null:", gender.IsNull())

	_, err = c.GetClue(context.Background(), &v3clue.GetClueRequest{CustomerID: 1})
	var apiErr *v3clue.APIError
	if errors.As(err, &apiErr) {
		fmt.Println("missing clue: code", apiErr.Code, apiErr.Message)
	}
	// Output:
	// customer 410983932389440 clue: false created 2021-05-11 15:15:48 CST
	// name: 打马赛克就
	// mobiles: [145678388] <nil>
	// stage option: 396823724189760 true
	// gender null: true
	// missing clue: code -1 线索不存在
}

// Call an endpoint the SDK does not type, with the same signing.
func ExampleClient_Do() {
	srv := v3cluetest.NewServer()
	defer srv.Close()
	srv.Handle("/api/v3/get-users", func(body []byte) v3cluetest.Response {
		return v3cluetest.Response{Data: map[string]any{"result": []map[string]any{{"salesId": 1234567890123456789, "name": "张三"}}}}
	})

	c, err := v3clue.New(srv.AppID, srv.AppKey, v3clue.WithBaseURL(srv.URL))
	if err != nil {
		fmt.Println(err)
		return
	}
	var users struct {
		Result []struct {
			SalesID int64  `json:"salesId"`
			Name    string `json:"name"`
		} `json:"result"`
	}
	err = c.Do(context.Background(), http.MethodPost, "/api/v3/get-users",
		map[string]any{"pageNo": 1, "pageSize": 100, "deleted": 0}, &users)
	fmt.Println(users.Result[0].SalesID, users.Result[0].Name, err)
	// Output:
	// 1234567890123456789 张三 <nil>
}

// SignRequest is plain SHA-256 over appId + timestamp + body + appKey.
func ExampleSignRequest() {
	fmt.Println(v3clue.SignRequest("tm-app-001", "1700000000000", []byte(`{"customerId":8}`), "k3y-secret"))
	// Output:
	// b4e913faeb16bd69e01e46fa5c3c6960696a34420993243e9bb8108012d1e956
}
