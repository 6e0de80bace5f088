// Tests for TencentCloud.
