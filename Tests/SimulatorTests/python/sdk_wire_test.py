#!/usr/bin/env python3
"""Calls the FaceID simulator through Tencent Cloud's official Python SDK.

A second, independent client: if the SDK's signing, headers, body or error parsing disagree
with the simulator, this script fails. Usage:

    sdk_wire_test.py --port PORT   (credentials in TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY)

Exit status 0 when every check passed, 1 on any mismatch (each printed on stderr), 2 when the
SDK is not installed.
"""
import argparse
import base64
import hashlib
import os
import sys

try:
    from tencentcloud.common import credential
    from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
    from tencentcloud.common.profile.client_profile import ClientProfile
    from tencentcloud.common.profile.http_profile import HttpProfile
    from tencentcloud.faceid.v20180301.faceid_client import FaceidClient
except ImportError as error:  # pragma: no cover - reported to the Swift test as "skip"
    print(f"tencentcloud-sdk-python-faceid is not installed: {error}", file=sys.stderr)
    sys.exit(2)

ACTIONS = ("GetWebVerificationResult", "GetWebVerificationResultIntl")
failures = []


def check(condition, what):
    if not condition:
        failures.append(what)
        print(f"MISMATCH: {what}", file=sys.stderr)


def client(port, secret_id, secret_key, region="ap-singapore", method="POST", unsigned_payload=False):
    http = HttpProfile(endpoint=f"127.0.0.1:{port}", protocol="http", reqMethod=method, reqTimeout=10)
    # The SDK's default region breaker swallows errors; disabled so every exception reaches us.
    profile = ClientProfile(httpProfile=http, disable_region_breaker=True)
    profile.unsignedPayload = unsigned_payload
    return FaceidClient(credential.Credential(secret_id, secret_key), region, profile)


def call(faceid, action, token):
    return faceid.call_json(action, {"BizToken": token})["Response"]


def expect_error(faceid, action, token, code):
    try:
        response = call(faceid, action, token)
    except TencentCloudSDKException as error:
        check(error.get_code() == code, f"{action} {token}: code {error.get_code()!r}, expected {code!r}")
        check(bool(error.get_request_id()), f"{action} {token}: error without RequestId")
        return
    check(False, f"{action} {token}: expected {code}, got a result {response!r}")


def check_passed(response, action, token):
    check(response.get("ErrorCode") == 0, f"{action} {token}: ErrorCode {response.get('ErrorCode')!r}")
    check(response.get("ErrorMsg") == "Succeed", f"{action} {token}: ErrorMsg {response.get('ErrorMsg')!r}")
    check(bool(response.get("RequestId")), f"{action} {token}: no RequestId")
    details = response.get("VerificationDetailList") or []
    check(len(details) == 1, f"{action} {token}: {len(details)} VerificationDetailList entries")
    for detail in details:
        check(detail.get("ErrorCode") == 0, f"{action} {token}: detail ErrorCode {detail.get('ErrorCode')!r}")
        check(isinstance(detail.get("Similarity"), float), f"{action} {token}: Similarity {detail.get('Similarity')!r}")
        check(isinstance(detail.get("ReqTimestamp"), int), f"{action} {token}: ReqTimestamp")
        check(bool(detail.get("Seq")), f"{action} {token}: Seq")
    if action == "GetWebVerificationResult":
        for field in ("VideoBestFrameUrl", "VideoUrl"):
            # The simulator serves its media itself, over http at the address the SDK reached.
            check(str(response.get(field, "")).startswith("http://"), f"{action} {token}: {field} is not a URL")
        for field in ("VideoBestFrameMd5", "VideoMd5"):
            value = response.get(field) or ""
            check(len(value) == 32 and all(c in "0123456789abcdef" for c in value), f"{action} {token}: {field}")
    else:
        frame = base64.b64decode(response.get("BestFrameBase64") or "")
        video = base64.b64decode(response.get("VideoBase64") or "")
        check(frame[:2] == b"\xff\xd8", f"{action} {token}: BestFrameBase64 is not a JPEG")
        check(len(video) > 1024, f"{action} {token}: VideoBase64 only {len(video)} bytes")
        check(isinstance(response.get("OCRResult"), list), f"{action} {token}: OCRResult not a list")
        check(isinstance(response.get("Extra"), str), f"{action} {token}: Extra not a string")
        check("VideoUrl" not in response, f"{action} {token}: the Intl action has no VideoUrl")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    secret_id = os.environ["TENCENTCLOUD_SECRET_ID"]
    secret_key = os.environ["TENCENTCLOUD_SECRET_KEY"]
    faceid = client(args.port, secret_id, secret_key)
    run_id = hashlib.md5(os.urandom(8)).hexdigest()[:8]

    for action in ACTIONS:
        token = f"PASS-{action}-{run_id}"
        check_passed(call(faceid, action, token), action, token)

        token = f"FAIL1004-{action}-{run_id}"
        failed = call(faceid, action, token)
        check(failed.get("ErrorCode") == 1004, f"{action} {token}: ErrorCode {failed.get('ErrorCode')!r}")
        check(failed.get("ErrorMsg") == "Face detection failed", f"{action} {token}: ErrorMsg {failed.get('ErrorMsg')!r}")

        token = f"FAIL-{action}-{run_id}"
        check(call(faceid, action, token).get("ErrorCode") == 1001, f"{action} {token}: default failure code")

        token = f"PEND2-{action}-{run_id}"
        first, second, third = (call(faceid, action, token) for _ in range(3))
        check("ErrorCode" in first and first["ErrorCode"] is None, f"{action} {token}: first call {first.get('ErrorCode')!r}")
        check(first.get("ErrorMsg") is None, f"{action} {token}: pending ErrorMsg {first.get('ErrorMsg')!r}")
        check(second.get("ErrorCode") is None, f"{action} {token}: second call {second.get('ErrorCode')!r}")
        check(third.get("ErrorCode") == 0, f"{action} {token}: third call {third.get('ErrorCode')!r}")

        token = f"PENDX-{action}-{run_id}"
        check(call(faceid, action, token).get("ErrorCode") is None, f"{action} {token}: not pending")

        expect_error(faceid, action, f"EXPD-{action}-{run_id}", "InvalidParameterValue.BizTokenExpired")
        expect_error(faceid, action, f"ILLG-{action}-{run_id}", "InvalidParameterValue.BizTokenIllegal")

        wrong_key = client(args.port, secret_id, secret_key + "x")
        expect_error(wrong_key, action, f"PASS-{action}-{run_id}", "AuthFailure.SignatureFailure")
        unknown_id = client(args.port, secret_id + "x", secret_key)
        expect_error(unknown_id, action, f"PASS-{action}-{run_id}", "AuthFailure.SecretIdNotFound")
        elsewhere = client(args.port, secret_id, secret_key, region="ap-guangzhou")
        expect_error(elsewhere, action, f"PASS-{action}-{run_id}", "UnsupportedRegion")

    expect_error(faceid, "GetWebVerificationResultX", f"PASS-{run_id}", "InvalidAction")

    # The SDK's other signing paths: parameters in a signed GET query, and an unsigned payload.
    token = f"FAIL2016-get-{run_id}"
    by_get = call(client(args.port, secret_id, secret_key, method="GET"), ACTIONS[0], token)
    check(by_get.get("ErrorCode") == 2016, f"GET {token}: ErrorCode {by_get.get('ErrorCode')!r}")
    token = f"PASS-unsigned-{run_id}"
    unsigned = call(client(args.port, secret_id, secret_key, unsigned_payload=True), ACTIONS[0], token)
    check(unsigned.get("ErrorCode") == 0, f"unsigned payload {token}: ErrorCode {unsigned.get('ErrorCode')!r}")

    if failures:
        print(f"{len(failures)} mismatch(es)", file=sys.stderr)
        sys.exit(1)
    print("official SDK: all checks passed")


if __name__ == "__main__":
    main()
