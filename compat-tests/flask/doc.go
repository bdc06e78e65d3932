// Package flask tests the IoT fleet REST example service (app.py): the
// test starts a real tsgres, runs the app on Flask's development server on
// a free port, and drives it over HTTP with test_app.py.
package flask
