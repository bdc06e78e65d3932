"""Tests the Flask example app with Flask's test client against the
server named by $TSGRES_DSN (started by flask_test.go)."""
import os
import unittest

from app import create_app


class AppTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.app = create_app(os.environ["TSGRES_DSN"])
        cls.client = cls.app.test_client()
        hyper = "1" if os.environ.get("TSGRES_HYPERTABLE") == "1" else "0"
        r = cls.client.post("/setup?hypertable=" + hyper)
        assert r.status_code == 200, r.data

    def test_flow(self):
        c = self.client
        readings = [
            {"time": "2024-01-01T00:00:00Z", "device_id": "d1", "temperature": 20.5, "humidity": 40},
            {"time": "2024-01-01T00:30:00Z", "device_id": "d1", "temperature": 21.5},
            {"time": "2024-01-01T01:10:00Z", "device_id": "d1", "temperature": 23.0, "humidity": 41},
            {"time": "2024-01-01T00:05:00Z", "device_id": "d2", "temperature": 10.0, "humidity": 50},
        ]
        r = c.post("/ingest", json=readings)
        self.assertEqual(r.status_code, 201, r.data)
        self.assertEqual(r.get_json(), {"inserted": 4})

        r = c.get("/latest")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.get_json(), [
            {"device_id": "d1", "time": "2024-01-01T01:10:00+00:00", "temperature": 23.0, "humidity": 41.0},
            {"device_id": "d2", "time": "2024-01-01T00:05:00+00:00", "temperature": 10.0, "humidity": 50.0},
        ])
        r = c.get("/latest?device_id=d2")
        self.assertEqual([x["temperature"] for x in r.get_json()], [10.0])
        self.assertEqual(c.get("/latest?device_id=nope").status_code, 404)

        r = c.get("/stats")
        self.assertEqual(r.get_json(), [
            {"hour": "2024-01-01T00:00:00+00:00", "device_id": "d1", "avg_temperature": 21.0, "count": 2},
            {"hour": "2024-01-01T00:00:00+00:00", "device_id": "d2", "avg_temperature": 10.0, "count": 1},
            {"hour": "2024-01-01T01:00:00+00:00", "device_id": "d1", "avg_temperature": 23.0, "count": 1},
        ])

    def test_bad_input(self):
        c = self.client
        self.assertEqual(c.post("/ingest", json={"not": "a list"}).status_code, 400)
        self.assertEqual(c.post("/ingest", json=[{"device_id": "x"}]).status_code, 400)
        r = c.post("/ingest", json=[{"time": "not a time", "device_id": "bad"}])
        self.assertEqual(r.status_code, 400, r.data)
        self.assertEqual(r.get_json()["sqlstate"], "22007")
        self.assertEqual(c.get("/latest?device_id=bad").status_code, 404)


if __name__ == "__main__":
    unittest.main()
