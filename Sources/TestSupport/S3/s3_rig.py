#!/usr/bin/env python3
"""The S3 side of faceid-enricher's media tests, against a moto server: a second client (boto3).

    s3_rig.py setup ENDPOINT BUCKET...          IAM users, buckets, then signature checks on; prints credentials
    s3_rig.py objects ENDPOINT KEY SECRET BUCKET PREFIX   every object under PREFIX: key, bytes, md5, content type
    s3_rig.py create-bucket ENDPOINT KEY SECRET BUCKET    a bucket, made once authentication is on

Prints exactly one line starting with "RESULT " holding JSON (anything else is noise to ignore).
setup creates two users: "writer" (s3:* on everything) and "denied" (may only read), makes the
buckets, and then turns moto's authentication on (POST /moto-api/reset-auth 0), so every later
request must carry a valid AWS Signature V4 of a known key: moto recomputes it with botocore.
"""

import hashlib
import json
import sys
import urllib.request

import boto3
from botocore.config import Config

REGION = "us-east-1"


def client(service, endpoint, key="testing", secret="testing"):
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 2}),
    )


def setup(endpoint, buckets):
    iam = client("iam", endpoint)
    users = {}
    policies = {
        "writer": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        "denied": {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"},
    }
    for name, statement in policies.items():
        iam.create_user(UserName=name)
        iam.put_user_policy(
            UserName=name,
            PolicyName=f"{name}-policy",
            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [statement]}),
        )
        key = iam.create_access_key(UserName=name)["AccessKey"]
        users[name] = {"id": key["AccessKeyId"], "secret": key["SecretAccessKey"]}
    s3 = client("s3", endpoint)
    for bucket in buckets:
        s3.create_bucket(Bucket=bucket)
    request = urllib.request.Request(
        endpoint + "/moto-api/reset-auth", data=b"0", method="POST", headers={"Content-Type": "text/plain"}
    )
    urllib.request.urlopen(request, timeout=10).read()
    return users


def objects(endpoint, key, secret, bucket, prefix):
    s3 = client("s3", endpoint, key, secret)
    found = []
    # No Prefix parameter: moto's signature check rejects a query holding an encoded "/".
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            if not item["Key"].startswith(prefix):
                continue
            body = s3.get_object(Bucket=bucket, Key=item["Key"])
            data = body["Body"].read()
            found.append(
                {
                    "key": item["Key"],
                    "bytes": len(data),
                    "md5": hashlib.md5(data).hexdigest(),
                    "contentType": body.get("ContentType"),
                }
            )
    return found


def main(argv):
    command = argv[1]
    if command == "setup":
        result = setup(argv[2], argv[3:])
    elif command == "objects":
        result = objects(*argv[2:7])
    elif command == "create-bucket":
        client("s3", argv[2], argv[3], argv[4]).create_bucket(Bucket=argv[5])
        result = {"created": argv[5]}
    else:
        raise SystemExit(f"unknown command {command}")
    print("RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main(sys.argv)
