"""What a broker answers to ListOffsets(latest) after records produced in batches of known sizes.

Kafka's answer is the partition's end (the high watermark): the number of records of a fresh
partition. Tansu 0.6 answers its last batch's base offset + 1, which is the end only when that batch
holds one record. `auto.offset.reset=latest` and `rd_kafka_query_watermark_offsets` both ask this,
so on Tansu a fresh group with `latest` can start inside the last batch. Run:
`python3 bench/tansu_list_offsets_probe.py` (starts Tansu on 127.0.0.1, stops it by its PID).
"""

from __future__ import annotations

import uuid

from confluent_kafka import Producer, TopicPartition
from confluent_kafka.admin import AdminClient, OffsetSpec

from rig import create_topics, tansu_broker

BATCHES = ([5], [1, 1, 1, 1, 1], [3, 3], [2, 5, 1])


def main() -> int:
    wrong = 0
    with tansu_broker() as brokers:
        admin = AdminClient({"bootstrap.servers": brokers})
        for batches in BATCHES:
            topic = f"list-offsets-{uuid.uuid4().hex[:8]}"
            create_topics(brokers, [topic], 1)
            producer = Producer({"bootstrap.servers": brokers, "linger.ms": 50})
            for size in batches:
                for _ in range(size):
                    producer.produce(topic, b"x")
                producer.flush(10)  # one flush per batch: the records of a batch go in one ProduceRequest
            future = admin.list_offsets({TopicPartition(topic, 0): OffsetSpec.latest()})
            latest = next(iter(future.values())).result().offset
            end = sum(batches)
            wrong += latest != end
            print(f"batches {batches}: {end} records, ListOffsets(latest) = {latest}"
                  f"{'' if latest == end else '  (not the end)'}")
    print(f"{wrong} of {len(BATCHES)} answers were not the partition's end")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
