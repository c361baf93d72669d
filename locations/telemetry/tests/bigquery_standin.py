"""A local HTTP server that speaks enough of BigQuery's REST API (v2) for the real
google-cloud-bigquery client: jobs.query, jobs.insert, jobs.get, getQueryResults.

Queries run on DuckDB over fixture tables named like BigQuery's (backticks become
double quotes, @parameters become $parameters). Errors are answered in BigQuery's
error format, so the client raises exactly what it would against Google.
Written for the tests because no maintained BigQuery emulator ships on PyPI.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import duckdb

_TYPES = {
    "VARCHAR": "STRING",
    "BIGINT": "INTEGER",
    "INTEGER": "INTEGER",
    "DATE": "DATE",
    "TIMESTAMP": "TIMESTAMP",
    "DOUBLE": "FLOAT",
    "BOOLEAN": "BOOLEAN",
}


class BigQueryStandIn:
    def __init__(self):
        self.db = duckdb.connect()
        self.requests: list[dict] = []  # every query received, with its parameters
        self.fail_with: tuple[int, str, str] | None = None  # (http status, reason, message)
        self._jobs: dict[str, dict] = {}
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    # -- query execution -------------------------------------------------------
    def _run(self, query: str, parameters: list[dict]) -> dict:
        self.requests.append({"query": query, "parameters": parameters})
        if self.fail_with:
            status, reason, message = self.fail_with
            raise _ApiError(status, reason, message)
        sql = re.sub(r"`([^`]*)`", r'"\1"', query)
        sql = re.sub(r"@(\w+)", r"$\1", sql)
        values = {p["name"]: p["parameterValue"]["value"] for p in parameters}
        with self._lock:
            try:
                result = self.db.execute(sql, values)
            except duckdb.Error as error:
                raise _ApiError(400, "invalidQuery", str(error).splitlines()[0]) from error
            columns = result.description
            rows = result.fetchall()
        schema = {
            "fields": [
                {
                    "name": c[0],
                    "type": _TYPES.get(str(c[1]).split("(")[0], "STRING"),
                    "mode": "NULLABLE",
                }
                for c in columns
            ]
        }
        job_id = f"standin_{uuid.uuid4().hex[:12]}"
        response = {
            "kind": "bigquery#queryResponse",
            "schema": schema,
            "jobReference": {"projectId": "standin", "jobId": job_id, "location": "US"},
            "totalRows": str(len(rows)),
            "rows": [{"f": [{"v": None if v is None else str(v)} for v in row]} for row in rows],
            "jobComplete": True,
            "totalBytesProcessed": "0",
        }
        self._jobs[job_id] = response
        return response

    def _handler(self):
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status: int, body: dict):
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def _body(self) -> dict:
                length = int(self.headers.get("Content-Length") or 0)
                return json.loads(self.rfile.read(length) or b"{}")

            def do_POST(self):
                try:
                    body = self._body()
                    if re.search(r"/projects/[^/]+/queries$", self.path.split("?")[0]):
                        self._send(
                            200, standin._run(body["query"], body.get("queryParameters", []))
                        )
                    elif re.search(r"/projects/[^/]+/jobs$", self.path.split("?")[0]):
                        query = body["configuration"]["query"]
                        response = standin._run(query["query"], query.get("queryParameters", []))
                        job = {
                            "kind": "bigquery#job",
                            "jobReference": response["jobReference"],
                            "configuration": body["configuration"],
                            "status": {"state": "DONE"},
                            "statistics": {"query": {"totalBytesProcessed": "0"}},
                        }
                        standin._jobs[response["jobReference"]["jobId"]] = response
                        self._send(200, job)
                    else:
                        self._send(
                            404, {"error": {"code": 404, "message": f"no route {self.path}"}}
                        )
                except _ApiError as error:
                    self._send(error.status, error.body())

            def do_GET(self):
                path = self.path.split("?")[0]
                match = re.search(r"/projects/[^/]+/(queries|jobs)/([^/]+)$", path)
                if not match or match.group(2) not in standin._jobs:
                    self._send(404, {"error": {"code": 404, "message": f"Not found: {path}"}})
                    return
                response = standin._jobs[match.group(2)]
                if match.group(1) == "jobs":
                    self._send(
                        200,
                        {
                            "kind": "bigquery#job",
                            "jobReference": response["jobReference"],
                            "status": {"state": "DONE"},
                        },
                    )
                else:
                    self._send(200, {**response, "kind": "bigquery#getQueryResultsResponse"})

        return Handler


class _ApiError(Exception):
    def __init__(self, status: int, reason: str, message: str):
        super().__init__(message)
        self.status, self.reason, self.message = status, reason, message

    def body(self) -> dict:
        return {
            "error": {
                "code": self.status,
                "message": self.message,
                "errors": [{"reason": self.reason, "message": self.message, "domain": "global"}],
            }
        }
