package flex

import "reflect"

// NeedsUseNumber reports whether decoding into v can fill an interface value
// directly, so that numbers must be decoded as json.Number to keep every
// digit. It is decided once per type.
func NeedsUseNumber(v any) bool {
	t := reflect.TypeOf(v)
	return t != nil && holdsInterface(t)
}
