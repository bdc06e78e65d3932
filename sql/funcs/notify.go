package funcs

import (
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/types"
)

// pg_notify(channel, payload) is NOTIFY as a function. tsgres has no
// asynchronous notifications, so like LISTEN and NOTIFY it fails with
// 0A000 instead of silently dropping the message.
func init() {
	RegisterScalar(&Scalar{Name: "pg_notify", Args: []types.T{types.Text, types.Text}, ArgNames: []string{"channel", "payload"},
		Ret: Fixed(types.Void), Volatile: true,
		Fn: func(*Ctx, []types.T, []any) (any, error) {
			return nil, pgerr.New(pgerr.FeatureNotSupported,
				"pg_notify is not supported: tsgres has no asynchronous notifications (LISTEN/NOTIFY)")
		}})
}
