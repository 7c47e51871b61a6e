"""Whether each stream still keeps its whole history (what a rebuild needs), asked of Kafka.

Topics created by `ensure_topics` keep everything; topics created before, or changed by an
operator, may not. The admin status lists them, so a rebuild that would silently miss the
oldest events is visible before it is started.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

WATCHED = ("retention.ms", "retention.bytes", "cleanup.policy")


async def retention(bootstrap_servers: str, topics: Iterable[str]) -> list[dict[str, Any]]:
    """Per topic: its retention configs and whether the whole history is kept."""
    names = list(topics)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        responses = await admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, name, None) for name in names]
        )
    finally:
        await admin.close()
    found: dict[str, dict[str, Any]] = {}
    for response in responses:
        for resource in response.to_object()["resources"]:
            configs = {
                entry["config_names"]: entry["config_value"]
                for entry in resource["config_entries"]
                if entry["config_names"] in WATCHED
            }
            found[resource["resource_name"]] = {
                "topic": resource["resource_name"],
                **configs,
                "keeps_history": configs.get("retention.ms") == "-1"
                and configs.get("retention.bytes") == "-1"
                and "compact" not in configs.get("cleanup.policy", ""),
                "error": resource["error_message"] or None,
            }
    return [found.get(name, {"topic": name, "keeps_history": False}) for name in names]
