#!/usr/bin/env bash
# As in Kafka's distribution: the broker's API versions (the compose healthcheck asks for them).
exec java -Xmx128m -Dlog4j2.configurationFile=/opt/kafka/config/log4j2.properties \
  -cp '/opt/kafka/libs/*' org.apache.kafka.tools.BrokerApiVersionsCommand "$@"
