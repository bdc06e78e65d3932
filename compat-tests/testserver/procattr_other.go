//go:build !linux

package testserver

import "syscall"

// childAttr: see procattr_linux.go; elsewhere servers are stopped by
// Close only.
func childAttr() *syscall.SysProcAttr { return nil }
