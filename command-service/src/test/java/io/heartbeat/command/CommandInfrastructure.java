package io.heartbeat.command;

import io.heartbeat.localstack.test.LocalStackTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;

/** Every {@code @QuarkusTest} of this module runs against the real embedded Postgres, MQTT broker and Kafka. */
@QuarkusTestResource(value = LocalStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "command"))
public class CommandInfrastructure {
}
