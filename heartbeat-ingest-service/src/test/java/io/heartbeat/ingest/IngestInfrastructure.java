package io.heartbeat.ingest;

import io.heartbeat.localstack.test.LocalStackTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;

/**
 * Every {@code @QuarkusTest} of this module runs against the real embedded Postgres, MQTT broker and Kafka, started
 * once for the test JVM (a global test resource, declared once here).
 */
@QuarkusTestResource(value = LocalStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "ingest"))
public class IngestInfrastructure {
}
