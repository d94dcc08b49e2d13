package waiqin365_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cluekit/cluekit/internal/flex"
	"github.com/cluekit/cluekit/waiqin365"
)

// seedTables lists, per endpoint, every field the parameter tables of seed
// 003 name (dotted for nested fields). Together with every key of the doc
// examples (read from testdata), each must be a typed field of the Go type.
var seedTables = []struct {
	name    string
	typ     any
	example string // fixture file with the doc example ("" = none)
	table   string
}{
	{"addSalesLeads request", waiqin365.AddSalesLeadsRequest{}, "add_sales_leads_request.json",
		"empName poolName code cus_name source_type market_name linkman mobile_country mobile mobile_repeat tel customer_classification_name position detail mssProvinceName mssCityName mssAreaName mssStreetName mark_addr email website latlon address exts exts.salesleads_ext_key exts.salesleads_ext_value"},
	// exts: the map form of the examples is used (notes §7), so its keys are data.
	{"addSalesLeadsForApaas request", waiqin365.AddSalesLeadsForApaasRequest{}, "add_sales_leads_for_apaas_request.json",
		"code company_name source_type customer_classification_name return_reason invalid_reason market_name market_id linkman mobile mobile_duplicate telephone position detail mss_country mss_province mss_city mss_area mss_street latitude longitude address mark_addr email website allocation_status salesleads_status pool_name remove_result labels responsible_person card_photo exts"},
	{"modifySalesLeads request", waiqin365.ModifySalesLeadsRequest{}, "modify_sales_leads_request.json",
		"id code poolName cus_name source_type market_name linkman mobile_country mobile tel customer_classification_name position detail mssProvinceName mssCityName mssAreaName mssStreetName mark_addr email website latlon address exts"},
	{"modifySalesLeadsForApaas request", waiqin365.ModifySalesLeadsForApaasRequest{}, "modify_sales_leads_for_apaas_request.txt",
		"id code company_name source_type customer_classification_name return_reason invalid_reason market_name market_id linkman mobile telephone position detail mss_country mss_province mss_city mss_area mss_street mark_address email website allocation_status salesleads_status pool_name removed_result labels responsible_person card_photo exts"},
	{"removeSalesLeads request", waiqin365.RemoveSalesLeadsRequest{}, "remove_sales_leads_request.json", "id code reason_id content"},
	{"querySalesLeads request", waiqin365.QuerySalesLeadsRequest{}, "query_sales_leads_request.json",
		"code id linkman mobile emp_name cus_name create_time_start create_time_end modify_time_start modify_time_end salesleads_status page pageSize"},
	{"querySalesLeadsForApaas request", waiqin365.QuerySalesLeadsForApaasRequest{}, "query_sales_leads_for_apaas_request.json",
		"code id linkman mobile emp_name cus_name create_time_start create_time_end modify_time_start modify_time_end salesleads_status sort sort.field_key sort.type query_group query_group.connector query_group.filters query_group.filters.field_key query_group.filters.operator query_group.filters.field_values page pageSize"},
	{"querySalesLeads row", waiqin365.SalesLead{}, "query_sales_leads_rows.json",
		"id cus_name code source_type_name market_name linkman mobile_country mobile tel position detail mss_province mss_city mss_area mss_street mark_addr email website emp_name emp_id_str status_value result disable_reason_name disable_reason_ext delete_reason_name delete_reason_ext return_reason_name pool_name distribution_name distribution_take_time creator_name create_time transf_time owner_change_time follow_name follow_time modifyier_name modify_time customer_classification_name cm_code cm_name labels labels.salesleads_id labels.color labels.name labels.rule_description labels.id labels.status exts exts.ext_key exts.ext_value exts.ext_column"},
	{"querySalesLeadsForApaas row", waiqin365.ApaasSalesLead{}, "query_sales_leads_for_apaas_rows.json",
		"id company_name code source_type_id customer_classification return_reason_id delete_reason_id market_id linkman mobile tel position detail mss_country mss_province mss_city mss_area mss_street mark_addr email website allocation_status salesleads_status label_names pool_name removed_result owner card_photo exts"},
	{"response envelope", struct {
		ReturnCode   string `json:"return_code"`
		ReturnMsg    string `json:"return_msg"`
		MsgID        string `json:"msg_id"`
		ResponseData string `json:"response_data"`
	}{}, "write_response.json", "msg_id return_code return_msg"},
}

func TestEverySeedFieldIsTyped(t *testing.T) {
	t.Parallel()
	for _, tt := range seedTables {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			typed := map[string]bool{}
			typeKeys(reflect.TypeOf(tt.typ), "", typed)
			want := strings.Fields(tt.table)
			if tt.example != "" {
				raw := string(fixture(t, tt.example))
				// The modifySalesLeadsForApaas example has two unclosed keys.
				raw = strings.Replace(raw, `"responsible_person: "`, `"responsible_person": "`, 1)
				raw = strings.Replace(raw, `"exts:{`, `"exts":{`, 1)
				var v any
				require.NoError(t, flex.Unmarshal([]byte(raw), &v))
				exampleKeys(v, "", &want)
			}
			for _, k := range want {
				assert.True(t, typed[k], "seed field %q has no typed Go field", k)
			}
		})
	}
}

// typeKeys collects the JSON names of t's fields, dotted for nested structs
// (map values are data and not descended into).
func typeKeys(t reflect.Type, prefix string, out map[string]bool) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return
	}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		out[prefix+name] = true
		typeKeys(f.Type, prefix+name+".", out)
	}
}

// exampleKeys collects the keys of a doc example; the keys of an "exts"
// object are custom-field data, not field names.
func exampleKeys(v any, prefix string, out *[]string) {
	switch t := v.(type) {
	case map[string]any:
		for k, inner := range t {
			if !slices.Contains(*out, prefix+k) {
				*out = append(*out, prefix+k)
			}
			if k == "exts" {
				if _, isMap := inner.(map[string]any); isMap {
					continue
				}
			}
			exampleKeys(inner, prefix+k+".", out)
		}
	case []any:
		for _, item := range t {
			exampleKeys(item, prefix, out)
		}
	}
}

// TestSalesLeadsFollowHasEverySeedField checks the push record the same
// way: each documented key decodes into its own field.
func TestSalesLeadsFollowHasEverySeedField(t *testing.T) {
	t.Parallel()
	keys := strings.Fields("lead_ID lead_code lead_name activity_type activity_content location offset photo_path create_by department create_at")
	for i, k := range keys {
		var f waiqin365.SalesLeadsFollow
		require.NoError(t, f.UnmarshalJSON([]byte(`{"`+k+`":"v`+k+`","ext_x":"e"}`)))
		got := []waiqin365.Text{f.LeadID, f.LeadCode, f.LeadName, f.ActivityType, f.ActivityContent, f.Location, f.Offset,
			f.PhotoPath, f.CreateBy, f.Department, f.CreateAt}
		for j, v := range got {
			if j == i {
				assert.Equal(t, waiqin365.Text("v"+k), v, k)
			} else {
				assert.Empty(t, v, "%s leaked into field %d", k, j)
			}
		}
		assert.Equal(t, map[string]string{"ext_x": "e"}, f.Ext)
		assert.Empty(t, f.Extra)
	}
}
