package wshototest

import (
	"encoding/json"
	"strconv"
)

// Body readers: the fake is as strict as the vendor about documented types.

type fieldErr struct{ msg string }

func (e *fieldErr) Error() string { return e.msg }

// getLong reads a long field that must be a JSON number (not a string).
func getLong(body map[string]any, key string, required bool) (string, bool, error) {
	v, present := body[key]
	if !present || v == nil {
		if required {
			return "", false, &fieldErr{key + "不能为空"}
		}
		return "", false, nil
	}
	n, ok := v.(json.Number)
	if !ok {
		return "", true, &fieldErr{key + "必须为数字"}
	}
	if _, err := strconv.ParseInt(n.String(), 10, 64); err != nil {
		return "", true, &fieldErr{key + "必须为整数"}
	}
	return n.String(), true, nil
}

// getString reads a string field; required means present and non-empty.
func getString(body map[string]any, key string, required bool) (string, bool, error) {
	v, present := body[key]
	if !present || v == nil {
		if required {
			return "", false, &fieldErr{key + "不能为空"}
		}
		return "", present, nil
	}
	str, ok := v.(string)
	if !ok {
		return "", true, &fieldErr{key + "必须为字符串"}
	}
	if required && str == "" {
		return "", true, &fieldErr{key + "不能为空"}
	}
	return str, true, nil
}

// getInt reads an int field given as a JSON number (or null).
func getInt(body map[string]any, key string) (int64, bool, error) {
	v, present := body[key]
	if !present || v == nil {
		return 0, present, nil
	}
	n, ok := v.(json.Number)
	if !ok {
		return 0, true, &fieldErr{key + "必须为数字"}
	}
	i, err := strconv.ParseInt(n.String(), 10, 64)
	if err != nil {
		return 0, true, &fieldErr{key + "必须为整数"}
	}
	return i, true, nil
}

func getStrings(body map[string]any, key string) ([]string, error) {
	v, present := body[key]
	if !present || v == nil {
		return nil, nil
	}
	arr, ok := v.([]any)
	if !ok {
		return nil, &fieldErr{key + "必须为数组"}
	}
	out := make([]string, 0, len(arr))
	for _, e := range arr {
		switch x := e.(type) {
		case string:
			out = append(out, x)
		case json.Number:
			out = append(out, x.String())
		default:
			return nil, &fieldErr{key + "元素类型错误"}
		}
	}
	return out, nil
}

func getLongs(body map[string]any, key string) ([]string, bool, error) {
	v, present := body[key]
	if !present || v == nil {
		return nil, false, nil
	}
	arr, ok := v.([]any)
	if !ok {
		return nil, true, &fieldErr{key + "必须为数组"}
	}
	out := make([]string, 0, len(arr))
	for _, e := range arr {
		n, ok := e.(json.Number)
		if !ok {
			return nil, true, &fieldErr{key + "元素必须为数字"}
		}
		if _, err := strconv.ParseInt(n.String(), 10, 64); err != nil {
			return nil, true, &fieldErr{key + "元素必须为整数"}
		}
		out = append(out, n.String())
	}
	return out, true, nil
}

func bad(err error) answer { return fail(CodeInvalidParam, err.Error()) }
