package dev.pipeline.cli;

import dev.pipeline.config.ConfigError;
import dev.pipeline.config.CoreKeys;
import dev.pipeline.config.OrdersKeys;
import dev.pipeline.config.PipelineConfig;
import dev.pipeline.kafka.Topics;
import dev.pipeline.kafka.registry.SchemaRegistryClients;
import dev.pipeline.kafka.serde.AvroSerde;
import dev.pipeline.orders.OrdersVerifier;
import dev.pipeline.orders.VerificationReport;
import dev.pipeline.orders.VerifierInputs;
import dev.pipeline.schema.OrderEvent;
import dev.pipeline.schema.OrderResult;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code verify orders}: the exactly-once check; the logic lives in {@link OrdersVerifier}. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Verify a pipeline's committed output against its input.",
        subcommands = {VerifyCommand.Orders.class})
public final class VerifyCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: orders");
    }

    @Command(name = "orders", mixinStandardHelpOptions = true,
            description = {"Read the order input and output topics (read_committed, up to their end offsets), recompute "
                    + "independently what the output must be and report missing, duplicated and wrong results and open "
                    + "transactions (last stable offset < end offset). Exit 0 only when all are zero, 1 otherwise.",
                    "Run it after the pipeline has caught up, with the same orders.payment.timeout.ms as the pipeline. "
                            + "Without schema.registry.url it uses the embedded registry of 'run' at "
                            + "http://localhost:<http.port>/registry."})
    static final class Orders implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @CommandLine.Option(names = "--max-details", paramLabel = "N", defaultValue = "10",
                description = "Problems to list after the summary line (default ${DEFAULT-VALUE}).")
        int maxDetails;

        @Override
        public Integer call() {
            PipelineConfig config = common.load();
            if (config.embeddedBroker()) {
                throw new ConfigError("'verify orders' needs the cluster to read: pass --bootstrap-servers "
                        + "(or KAFKA_BOOTSTRAP_SERVERS), e.g. the address 'run' or 'broker' printed.");
            }
            String registry = config.getString(CoreKeys.SCHEMA_REGISTRY_URL_CONFIG);
            if (registry.isEmpty()) {
                registry = "http://localhost:" + config.getInt(CoreKeys.HTTP_PORT_CONFIG) + "/registry";
            }
            Map<String, Object> serdeConfig = new HashMap<>();
            serdeConfig.put(SchemaRegistryClients.SCHEMA_REGISTRY_URL, registry);
            String userInfo = config.getString(CoreKeys.BASIC_AUTH_USER_INFO_CONFIG);
            if (!userInfo.isEmpty()) {
                serdeConfig.put(SchemaRegistryClients.BASIC_AUTH_USER_INFO, userInfo);
            }
            Topics topics = Topics.from(config);
            // the DLQ tells which PAID events the payment authorization refused or gave up on
            VerificationReport report = VerifierInputs.readAndVerify(config.kafkaClientProps(), topics.orders(),
                    topics.ordersProcessed(), topics.dlq(), AvroSerde.configured(OrderEvent.class, serdeConfig, false),
                    AvroSerde.configured(OrderResult.class, serdeConfig, false),
                    OrdersVerifier.Rules.from(config, System.currentTimeMillis()),
                    Duration.ofMillis(config.getLong(OrdersKeys.VERIFY_TIMEOUT_MS_CONFIG)));
            System.out.println(report.summary());
            report.problems().stream().limit(Math.max(0, maxDetails)).forEach(p -> System.out.println("  " + p));
            return report.exitCode();
        }
    }
}
