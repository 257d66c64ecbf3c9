"""Sends pre-encoded requests to the server with Python's grpcio (C-core, 8 KB metadata limit)
and prints one JSON line per case: the status code, the message length, the decoded
google.rpc.Status details, and whether a follow-up call on the same channel still works.

Usage: bounded_errors.py ADDRESS CASES_JSON PYTHON_PACKAGE_DIR (clients/python)
CASES_JSON is a list of {"name", "method", "request_b64"}.
"""
import base64
import json
import sys

address, cases_file, stubs = sys.argv[1], sys.argv[2], sys.argv[3]
sys.path.insert(0, stubs)

import grpc  # noqa: E402
from flowserv_remote._gen.google.rpc import error_details_pb2, status_pb2  # noqa: E402

SERVICE = "/flowserv.remote.v1.RemoteWorkflowService/"

with open(cases_file) as f:
    cases = json.load(f)

with grpc.insecure_channel(address) as channel:
    info = channel.unary_unary(SERVICE + "GetServiceInfo")
    for case in cases:
        method = channel.unary_unary(SERVICE + case["method"])
        result = {"name": case["name"]}
        try:
            method(base64.b64decode(case["request_b64"]), timeout=30)
            result["code"] = "OK"
        except grpc.RpcError as err:
            result["code"] = err.code().name
            result["message_chars"] = len(err.details() or "")
            raw = dict(err.trailing_metadata() or ()).get("grpc-status-details-bin")
            result["details_bytes"] = len(raw) if raw is not None else None
            if raw is not None:
                status = status_pb2.Status.FromString(raw)
                for detail in status.details:
                    if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
                        info_msg = error_details_pb2.ErrorInfo()
                        detail.Unpack(info_msg)
                        result["reason"] = info_msg.reason
                    elif detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
                        bad = error_details_pb2.BadRequest()
                        detail.Unpack(bad)
                        result["violations"] = len(bad.field_violations)
                        result["last_violation"] = bad.field_violations[-1].description
        try:
            info(b"", timeout=10)
            result["follow_up"] = "OK"
        except grpc.RpcError as err:
            result["follow_up"] = err.code().name
        print(json.dumps(result), flush=True)
