package jing

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"

	"github.com/cluekit/cluekit/internal/flex"
)

// Tolerant decoding of webhook bodies. Each documented key has a decoder;
// keys without one are kept raw. Lenient decoders (undocumented shapes)
// never fail: a value they cannot read is kept raw in Extra instead.

type fieldDecoder[T any] struct {
	decode  func(*T, json.RawMessage) error
	lenient bool
}

// fieldError locates a decoding failure: path is e.g.
// "extra_data.operator_type".
type fieldError struct {
	path string
	err  error
}

func (e *fieldError) Error() string { return e.path + ": " + e.err.Error() }
func (e *fieldError) Unwrap() error { return e.err }

var errNotObject = errors.New("not a JSON object")

// decodeObject decodes a JSON object (or null) key by key; a repeated key's
// last value wins. Values are decoded from sub-slices of b (one validity
// scan, then flex.Members); only the values kept in Extra are copied.
func decodeObject[T any](b []byte, dst *T, table map[string]fieldDecoder[T]) (map[string]json.RawMessage, error) {
	if !json.Valid(b) {
		return nil, errNotObject
	}
	var m map[string]json.RawMessage
	if !flex.Members(b, func(k string, v []byte) {
		if m == nil {
			m = make(map[string]json.RawMessage, 32)
		}
		m[k] = v
	}) {
		return nil, errNotObject
	}
	var extra map[string]json.RawMessage
	keep := func(k string, v json.RawMessage) {
		if extra == nil {
			extra = map[string]json.RawMessage{}
		}
		extra[k] = append(json.RawMessage(nil), v...)
	}
	for k, v := range m {
		d, ok := table[k]
		if !ok {
			keep(k, v)
			continue
		}
		if err := d.decode(dst, v); err != nil {
			if d.lenient {
				keep(k, v)
				continue
			}
			var fe *fieldError
			if errors.As(err, &fe) {
				return nil, &fieldError{path: k + "." + fe.path, err: fe.err}
			}
			return nil, &fieldError{path: k, err: err}
		}
	}
	return extra, nil
}

var (
	errNotString = errors.New("not a string, number or boolean")
	errNotInt    = errors.New("not an integer")
	errNotBool   = errors.New("not a boolean or 0/1")
)

func isNull(b json.RawMessage) bool { return string(bytes.TrimSpace(b)) == "null" }

// decString reads a string, a number (its literal text) or a boolean; null
// gives "".
func decString(b json.RawMessage) (string, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return "", errNotString
	}
	switch b[0] {
	case '"':
		var s flex.String // plain literals without json.Unmarshal
		if err := s.UnmarshalJSON(b); err != nil {
			return "", err
		}
		return string(s), nil
	case 'n':
		return "", nil
	case 't', 'f':
		return string(b), nil
	case '{', '[':
		return "", errNotString
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return "", errNotString
	}
	return n.String(), nil
}

// decInt reads an integer, a string holding one, "" or null (0).
func decInt(b json.RawMessage) (int64, error) {
	s, err := decString(b)
	if err != nil {
		return 0, errNotInt
	}
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, errNotInt
	}
	return n, nil
}

// decBool reads true/false, 1/0, "1"/"0", "true"/"false", "" or null.
func decBool(b json.RawMessage) (bool, error) {
	s, err := decString(b)
	if err != nil {
		return false, errNotBool
	}
	switch s {
	case "1", "true":
		return true, nil
	case "0", "false", "":
		return false, nil
	}
	return false, errNotBool
}

func str[T any](f func(*T) *string) fieldDecoder[T] {
	return fieldDecoder[T]{decode: func(t *T, b json.RawMessage) (err error) {
		*f(t), err = decString(b)
		return err
	}}
}

func lenientStr[T any](f func(*T) *string) fieldDecoder[T] {
	d := str(f)
	d.lenient = true
	return d
}

func integer[T any](f func(*T, int64)) fieldDecoder[T] {
	return fieldDecoder[T]{decode: func(t *T, b json.RawMessage) error {
		n, err := decInt(b)
		if err == nil {
			f(t, n)
		}
		return err
	}}
}

func mapping[T any](f func(*T) *MappingData, lenient bool) fieldDecoder[T] {
	return fieldDecoder[T]{lenient: lenient, decode: func(t *T, b json.RawMessage) error {
		return f(t).UnmarshalJSON(b)
	}}
}

// UnmarshalJSON implements json.Unmarshaler: an object of raw values, or
// null.
func (m *MappingData) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		*m = nil
		return nil
	}
	var v map[string]json.RawMessage
	if err := json.Unmarshal(b, &v); err != nil {
		return errNotObject
	}
	*m = v
	return nil
}

var eventFields = map[string]fieldDecoder[Event]{
	"mid":            str(func(e *Event) *string { return &e.MID }),
	"event_category": str(func(e *Event) *string { return &e.EventCategory }),
	"event_type": str(func(e *Event) *string {
		return (*string)(&e.EventType)
	}),
	"action_keyword": str(func(e *Event) *string { return &e.ActionKeyword }),
	"create_time":    integer(func(e *Event, n int64) { e.CreateTime = n }),
	"openplatform":   str(func(e *Event) *string { return &e.OpenPlatform }),
	"extra_data": {decode: func(e *Event, b json.RawMessage) error {
		return e.ExtraData.UnmarshalJSON(b)
	}},
}

// UnmarshalJSON implements json.Unmarshaler (see ParseEvent). Raw is set to
// the input.
func (e *Event) UnmarshalJSON(b []byte) error {
	var ev Event
	extra, err := decodeObject(b, &ev, eventFields)
	if err != nil {
		return err
	}
	ev.Extra = extra
	ev.Raw = append(json.RawMessage(nil), bytes.TrimSpace(b)...)
	*e = ev
	return nil
}

type xd = ExtraData

var extraDataFields map[string]fieldDecoder[ExtraData]

func init() {
	extraDataFields = map[string]fieldDecoder[ExtraData]{
		"object_id":   str(func(x *xd) *string { return &x.ObjectID }),
		"object_name": str(func(x *xd) *string { return &x.ObjectName }),
		"entity_id":   str(func(x *xd) *string { return &x.EntityID }),
		"operator_type": integer(func(x *xd, n int64) {
			x.OperatorType = OperatorType(n)
		}),
		"operator_id":    str(func(x *xd) *string { return &x.OperatorID }),
		"omni_user_uuid": str(func(x *xd) *string { return &x.OmniUserUUID }),
		"is_follow_up": {decode: func(x *xd, b json.RawMessage) (err error) {
			x.IsFollowUp, err = decBool(b)
			return err
		}},
		"notes":              str(func(x *xd) *string { return &x.Notes }),
		"login_platform":     str(func(x *xd) *string { return &x.LoginPlatform }),
		"login_source_value": str(func(x *xd) *string { return &x.LoginSourceValue }),
		"login_source_type":  str(func(x *xd) *string { return &x.LoginSourceType }),
		"login_environment":  str(func(x *xd) *string { return &x.LoginEnvironment }),
		"timeline_data": {decode: func(x *xd, b json.RawMessage) error {
			if isNull(b) {
				x.TimelineData = nil
				return nil
			}
			var t TimelineData
			if err := t.UnmarshalJSON(b); err != nil {
				return err
			}
			x.TimelineData = &t
			return nil
		}},
		"business_type":         str(func(x *xd) *string { return &x.BusinessType }),
		"business_type_name":    str(func(x *xd) *string { return &x.BusinessTypeName }),
		"business_unit":         lenientStr(func(x *xd) *string { return &x.BusinessUnit }),
		"baby_lead_action_uuid": str(func(x *xd) *string { return &x.BabyLeadActionUUID }),
		"created_timestamp":     str(func(x *xd) *string { return &x.CreatedTimestamp }),
		"owner": {decode: func(x *xd, b json.RawMessage) error {
			if isNull(b) {
				x.Owner = nil
				return nil
			}
			s, err := decString(b)
			if err != nil {
				return err
			}
			x.Owner = &s
			return nil
		}},
		"life_status":           str(func(x *xd) *string { return &x.LifeStatus }),
		"lead_omni_user_uuid":   str(func(x *xd) *string { return &x.LeadOmniUserUUID }),
		"mapping_data":          mapping(func(x *xd) *MappingData { return &x.MappingData }, false),
		"mapping_data_text":     mapping(func(x *xd) *MappingData { return &x.MappingDataText }, false),
		"former_owner":          str(func(x *xd) *string { return &x.FormerOwner }),
		"former_owner_name":     str(func(x *xd) *string { return &x.FormerOwnerName }),
		"scene_type":            integer(func(x *xd, n int64) { x.SceneType = SceneType(n) }),
		"entity_change_mapping": mapping(func(x *xd) *MappingData { return &x.EntityChangeMapping }, true),
		"from_leads_status":     str(func(x *xd) *string { return &x.FromLeadsStatus }),
		"to_leads_status":       str(func(x *xd) *string { return &x.ToLeadsStatus }),
		"members": {lenient: true, decode: func(x *xd, b json.RawMessage) error {
			m, err := decMembers(b)
			x.Members = m
			return err
		}},
		"from_life_status":   str(func(x *xd) *string { return &x.FromLifeStatus }),
		"to_life_status":     str(func(x *xd) *string { return &x.ToLifeStatus }),
		"from_lead_pool":     str(func(x *xd) *string { return &x.FromLeadPool }),
		"to_lead_pool":       str(func(x *xd) *string { return &x.ToLeadPool }),
		"target_object_id":   str(func(x *xd) *string { return &x.TargetObjectID }),
		"target_entity_id":   str(func(x *xd) *string { return &x.TargetEntityID }),
		"target_object_name": str(func(x *xd) *string { return &x.TargetObjectName }),
	}
}

// decMembers reads a string (one uuid), an array of strings, or null.
func decMembers(b json.RawMessage) ([]string, error) {
	b = bytes.TrimSpace(b)
	if isNull(b) {
		return nil, nil
	}
	if len(b) > 0 && b[0] == '[' {
		var elems []json.RawMessage
		if err := json.Unmarshal(b, &elems); err != nil {
			return nil, err
		}
		out := make([]string, 0, len(elems))
		for _, e := range elems {
			s, err := decString(e)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return out, nil
	}
	s, err := decString(b)
	if err != nil || s == "" {
		return nil, err
	}
	return []string{s}, nil
}

// UnmarshalJSON implements json.Unmarshaler: an object (or null).
func (x *ExtraData) UnmarshalJSON(b []byte) error {
	var v ExtraData
	extra, err := decodeObject(b, &v, extraDataFields)
	if err != nil {
		return err
	}
	v.Extra = extra
	*x = v
	return nil
}

var timelineFields = map[string]fieldDecoder[TimelineData]{
	"login_platform":    str(func(t *TimelineData) *string { return &t.LoginPlatform }),
	"login_environment": str(func(t *TimelineData) *string { return &t.LoginEnvironment }),
	"login_source_type": str(func(t *TimelineData) *string { return &t.LoginSourceType }),
	"login_source_name": str(func(t *TimelineData) *string { return &t.LoginSourceName }),
}

// UnmarshalJSON implements json.Unmarshaler.
func (t *TimelineData) UnmarshalJSON(b []byte) error {
	var v TimelineData
	extra, err := decodeObject(b, &v, timelineFields)
	if err != nil {
		return err
	}
	v.Extra = extra
	*t = v
	return nil
}
