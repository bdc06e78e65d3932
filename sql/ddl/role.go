package ddl

import (
	"github.com/tsgres/tsgres/catalog"
	"github.com/tsgres/tsgres/server/scram"
	"github.com/tsgres/tsgres/sql/pgerr"
	"github.com/tsgres/tsgres/sql/plan"
)

// roleStmt runs CREATE ROLE (or USER) and ALTER ROLE: LOGIN, SUPERUSER
// and PASSWORD, which is stored as a SCRAM-SHA-256 verifier, never in
// clear. DROP ROLE is drop's.
func roleStmt(h Host, x *plan.RoleStmt, w ResultWriter) error {
	snap := h.Catalog()
	r := snap.Role(x.Name)
	tag := "ALTER ROLE"
	if x.Create {
		if r != nil {
			return pgerr.New(pgerr.DuplicateObject, "role %q already exists", x.Name)
		}
		r = &catalog.Role{Name: x.Name}
		tag = "CREATE ROLE"
	} else if r == nil {
		return pgerr.New(pgerr.UndefinedObject, "role %q does not exist", x.Name)
	} else {
		cp := *r
		r = &cp
	}
	if x.Login != nil {
		r.Login = *x.Login
	}
	if x.Superuser != nil {
		r.Superuser = *x.Superuser
	}
	if x.Password != nil {
		r.Secret = scram.Secret(*x.Password)
	}
	if x.Create {
		if err := h.Writer().CreateRole(r); err != nil {
			return err
		}
	} else if err := h.Writer().PutRole(r); err != nil {
		return err
	}
	return w.Complete(tag)
}
