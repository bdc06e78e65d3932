package testserver

import "syscall"

// childAttr makes a started server die with the process that started it:
// a test binary or benchmark killed by a timeout or the OOM killer must
// not leave a server behind holding its port, data directory and any
// inherited file descriptor (such as a benchmark's flock).
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
