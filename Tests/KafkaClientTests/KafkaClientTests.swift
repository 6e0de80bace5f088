// Tests for KafkaClient.
