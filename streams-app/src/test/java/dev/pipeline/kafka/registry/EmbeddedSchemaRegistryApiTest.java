package dev.pipeline.kafka.registry;

import static dev.pipeline.kafka.registry.InMemorySchemaRegistryClientTest.NO_DEFAULT;
import static dev.pipeline.kafka.registry.InMemorySchemaRegistryClientTest.V1;
import static dev.pipeline.kafka.registry.InMemorySchemaRegistryClientTest.V2;
import static dev.pipeline.kafka.registry.RegistryHttp.json;
import static dev.pipeline.kafka.registry.RegistryHttp.schemaBody;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One test per endpoint of CONTRACT.md's "Schema registry (embedded)", over raw HTTP: status,
 * error_code and response fields as in Confluent's Schema Registry API reference.
 */
class EmbeddedSchemaRegistryApiTest {
    private RegistryHttp http;

    @BeforeEach
    void serve() throws IOException {
        http = new RegistryHttp(new EmbeddedSchemaRegistry(SchemaStore.inMemory()));
    }

    @AfterEach
    void stop() {
        http.close();
    }

    @Test
    void getSubjectsListsLiveSubjectsAndSoftDeletedOnesOnlyWhenAsked() throws Exception {
        register("a", V1);
        register("b", V1);
        http.ok("DELETE", "/subjects/b", null);

        assertThat(http.ok("GET", "/subjects", null)).isEqualTo(json("[\"a\"]"));
        assertThat(http.ok("GET", "/subjects?deleted=true", null)).isEqualTo(json("[\"a\",\"b\"]"));
    }

    @Test
    void postVersionsAnswersTheIdAcceptsNormalizeAndRefusesIncompatibleWith409() throws Exception {
        assertThat(http.ok("POST", "/subjects/s/versions", schemaBody(V1))).isEqualTo(json("{\"id\":1}"));
        String reformatted = RegistryHttp.JSON.writeValueAsString(
                java.util.Map.of("schema", V1.toString(true)));
        assertThat(http.ok("POST", "/subjects/s/versions?normalize=true", reformatted)).isEqualTo(json("{\"id\":1}"));
        assertThat(http.ok("POST", "/subjects/s/versions", schemaBody(V2))).isEqualTo(json("{\"id\":2}"));

        http.error("POST", "/subjects/s/versions", schemaBody(NO_DEFAULT), 409, 409);
        http.error("POST", "/subjects/s/versions", "{\"schema\":\"{\\\"type\\\":\\\"nonsense\\\"}\"}", 422, 42201);
        http.error("POST", "/subjects/s/versions", "{\"schema\":\"{}\",\"schemaType\":\"PROTOBUF\"}", 422, 42201);
        assertThat(http.ok("GET", "/subjects/s/versions", null)).isEqualTo(json("[1,2]"));
    }

    @Test
    void postSubjectLooksUpTheVersionHoldingTheSchema() throws Exception {
        register("s", V1);
        register("s", V2);

        JsonNode found = http.ok("POST", "/subjects/s?normalize=false", schemaBody(V1));
        assertThat(found).isEqualTo(describe("s", 1, 1, V1));
        http.error("POST", "/subjects/nope", schemaBody(V1), 404, 40401);
        http.error("POST", "/subjects/s", schemaBody(NO_DEFAULT), 404, 40403);
        http.error("POST", "/subjects/s", "{\"schema\":\"not avro\"}", 422, 42201);

        http.ok("DELETE", "/subjects/s/versions/1", null);
        http.error("POST", "/subjects/s", schemaBody(V1), 404, 40403);
        assertThat(http.ok("POST", "/subjects/s?deleted=true", schemaBody(V1))).isEqualTo(describe("s", 1, 1, V1));
    }

    @Test
    void getVersionsListsLiveVersionsAndSoftDeletedOnesWhenAsked() throws Exception {
        register("s", V1);
        register("s", V2);
        http.ok("DELETE", "/subjects/s/versions/1", null);

        assertThat(http.ok("GET", "/subjects/s/versions", null)).isEqualTo(json("[2]"));
        assertThat(http.ok("GET", "/subjects/s/versions?deleted=true", null)).isEqualTo(json("[1,2]"));
        http.error("GET", "/subjects/nope/versions", null, 404, 40401);
    }

    @Test
    void getVersionAnswersByNumberOrLatestWithConfluentsErrors() throws Exception {
        register("s", V1);
        register("s", V2);

        assertThat(http.ok("GET", "/subjects/s/versions/1", null)).isEqualTo(describe("s", 1, 1, V1));
        assertThat(http.ok("GET", "/subjects/s/versions/latest", null)).isEqualTo(describe("s", 2, 2, V2));
        assertThat(http.ok("GET", "/subjects/s/versions/-1", null)).isEqualTo(describe("s", 2, 2, V2));
        http.error("GET", "/subjects/s/versions/7", null, 404, 40402);
        http.error("GET", "/subjects/nope/versions/1", null, 404, 40401);
        http.error("GET", "/subjects/s/versions/abc", null, 422, 42202);
        http.error("GET", "/subjects/s/versions/0", null, 422, 42202);

        http.ok("DELETE", "/subjects/s/versions/2", null);
        http.error("GET", "/subjects/s/versions/2", null, 404, 40402);
        assertThat(http.ok("GET", "/subjects/s/versions/latest", null)).isEqualTo(describe("s", 1, 1, V1));
        assertThat(http.ok("GET", "/subjects/s/versions/2?deleted=true", null)).isEqualTo(describe("s", 2, 2, V2));
    }

    @Test
    void getVersionSchemaAnswersTheRawSchema() throws Exception {
        register("s", V1);

        HttpResponse<String> raw = http.send("GET", "/subjects/s/versions/latest/schema", null);
        assertThat(raw.statusCode()).isEqualTo(200);
        assertThat(new Schema.Parser().parse(raw.body())).isEqualTo(V1);
        http.error("GET", "/subjects/s/versions/2/schema", null, 404, 40402);
    }

    @Test
    void getSchemaByIdAcceptsSubjectAndServesTheRawSchemaToo() throws Exception {
        register("s", V1);

        assertThat(http.ok("GET", "/schemas/ids/1", null)).isEqualTo(json(
                RegistryHttp.JSON.writeValueAsString(java.util.Map.of("schema", V1.toString()))));
        assertThat(http.ok("GET", "/schemas/ids/1?subject=s", null).get("schema").asText()).isEqualTo(V1.toString());
        HttpResponse<String> raw = http.send("GET", "/schemas/ids/1/schema", null);
        assertThat(new Schema.Parser().parse(raw.body())).isEqualTo(V1);
        http.error("GET", "/schemas/ids/99", null, 404, 40403);
        http.error("GET", "/schemas/ids/x", null, 404, 40403);
    }

    @Test
    void globalConfigIsBackwardUntilPutAndDeleteResetsIt() throws Exception {
        assertThat(http.ok("GET", "/config", null)).isEqualTo(json("{\"compatibilityLevel\":\"BACKWARD\"}"));
        assertThat(http.ok("PUT", "/config", "{\"compatibility\":\"full\"}")).isEqualTo(json("{\"compatibility\":\"FULL\"}"));
        assertThat(http.ok("GET", "/config", null)).isEqualTo(json("{\"compatibilityLevel\":\"FULL\"}"));
        http.error("PUT", "/config", "{\"compatibility\":\"SIDEWAYS\"}", 422, 42203);
        http.error("PUT", "/config", "{}", 422, 42203);

        assertThat(http.ok("DELETE", "/config", null)).isEqualTo(json("{\"compatibilityLevel\":\"FULL\"}"));
        assertThat(http.ok("GET", "/config", null)).isEqualTo(json("{\"compatibilityLevel\":\"BACKWARD\"}"));
    }

    @Test
    void subjectConfigIs40408UntilSetUnlessDefaultToGlobal() throws Exception {
        register("s", V1);

        http.error("GET", "/config/s", null, 404, 40408);
        assertThat(http.ok("GET", "/config/s?defaultToGlobal=true", null))
                .isEqualTo(json("{\"compatibilityLevel\":\"BACKWARD\"}"));
        assertThat(http.ok("PUT", "/config/s", "{\"compatibility\":\"NONE\"}")).isEqualTo(json("{\"compatibility\":\"NONE\"}"));
        assertThat(http.ok("GET", "/config/s", null)).isEqualTo(json("{\"compatibilityLevel\":\"NONE\"}"));
        http.error("PUT", "/config/s", "{\"compatibility\":\"nope\"}", 422, 42203);

        assertThat(http.ok("DELETE", "/config/s", null)).isEqualTo(json("{\"compatibilityLevel\":\"NONE\"}"));
        http.error("GET", "/config/s", null, 404, 40408);
        http.error("DELETE", "/config/never-seen", null, 404, 40401);
        // a subject may get a level before its first version, as in Confluent
        assertThat(http.ok("PUT", "/config/later", "{\"compatibility\":\"FORWARD\"}"))
                .isEqualTo(json("{\"compatibility\":\"FORWARD\"}"));
    }

    @Test
    void subjectLevelOverridesTheGlobalOne() throws Exception {
        register("strict", V1);
        register("loose", V1);
        http.ok("PUT", "/config", "{\"compatibility\":\"NONE\"}");
        http.ok("PUT", "/config/strict", "{\"compatibility\":\"BACKWARD\"}");

        http.error("POST", "/subjects/strict/versions", schemaBody(NO_DEFAULT), 409, 409);
        assertThat(http.ok("POST", "/subjects/loose/versions", schemaBody(NO_DEFAULT)).get("id").asInt()).isEqualTo(2);
    }

    @Test
    void compatibilityEndpointAnswersIsCompatibleAndMessagesWhenVerbose() throws Exception {
        register("s", V1);

        assertThat(http.ok("POST", "/compatibility/subjects/s/versions/latest", schemaBody(V2)))
                .isEqualTo(json("{\"is_compatible\":true}"));
        assertThat(http.ok("POST", "/compatibility/subjects/s/versions/1", schemaBody(NO_DEFAULT)))
                .isEqualTo(json("{\"is_compatible\":false}"));
        JsonNode verbose = http.ok("POST", "/compatibility/subjects/s/versions/latest?verbose=true",
                schemaBody(NO_DEFAULT));
        assertThat(verbose.get("is_compatible").asBoolean()).isFalse();
        assertThat(verbose.get("messages").get(0).asText()).contains("READER_FIELD_MISSING_DEFAULT_VALUE", "size");
        assertThat(http.ok("POST", "/compatibility/subjects/s/versions?verbose=true", schemaBody(V2)))
                .isEqualTo(json("{\"is_compatible\":true,\"messages\":[]}"));

        http.error("POST", "/compatibility/subjects/nope/versions/latest", schemaBody(V1), 404, 40401);
        http.error("POST", "/compatibility/subjects/s/versions/9", schemaBody(V1), 404, 40402);
        http.error("POST", "/compatibility/subjects/s/versions/x", schemaBody(V1), 422, 42202);
        http.error("POST", "/compatibility/subjects/s/versions/latest", "{\"schema\":\"bad\"}", 422, 42201);
    }

    @Test
    void deleteVersionIsSoftFirstThenPermanent() throws Exception {
        register("s", V1);
        register("s", V2);

        http.error("DELETE", "/subjects/s/versions/1?permanent=true", null, 404, 40407);
        assertThat(http.ok("DELETE", "/subjects/s/versions/1", null)).isEqualTo(json("1"));
        http.error("DELETE", "/subjects/s/versions/1", null, 404, 40406);
        assertThat(http.ok("DELETE", "/subjects/s/versions/1?permanent=true", null)).isEqualTo(json("1"));
        http.error("GET", "/subjects/s/versions/1?deleted=true", null, 404, 40402);
        http.error("DELETE", "/subjects/s/versions/5", null, 404, 40402);
        http.error("DELETE", "/subjects/nope/versions/1", null, 404, 40401);
        // the id of a permanently deleted version no other subject uses no longer resolves
        http.error("GET", "/schemas/ids/1", null, 404, 40403);
        // version numbers are not reused after a delete
        http.ok("DELETE", "/subjects/s/versions/2", null);
        assertThat(http.ok("POST", "/subjects/s/versions", schemaBody(V2))).isEqualTo(json("{\"id\":2}"));
        assertThat(http.ok("GET", "/subjects/s/versions", null)).isEqualTo(json("[3]"));
    }

    @Test
    void deleteSubjectIsSoftFirstThenPermanent() throws Exception {
        register("s", V1);
        register("s", V2);

        http.error("DELETE", "/subjects/s?permanent=true", null, 404, 40405);
        assertThat(http.ok("DELETE", "/subjects/s", null)).isEqualTo(json("[1,2]"));
        http.error("DELETE", "/subjects/s", null, 404, 40404);
        http.error("GET", "/subjects/s/versions", null, 404, 40401);
        assertThat(http.ok("GET", "/schemas/ids/2", null).get("schema").asText()).isEqualTo(V2.toString());

        assertThat(http.ok("DELETE", "/subjects/s?permanent=true", null)).isEqualTo(json("[1,2]"));
        assertThat(http.ok("GET", "/subjects?deleted=true", null)).isEqualTo(json("[]"));
        http.error("GET", "/schemas/ids/2", null, 404, 40403);
        http.error("DELETE", "/subjects/s", null, 404, 40401);
    }

    @Test
    void unservedPathsAre404SoClientsFallBack() throws Exception {
        http.error("GET", "/associations/subjects/s", null, 404, 404);
        http.error("GET", "/mode", null, 404, 404);
        http.error("PUT", "/subjects", "{}", 405, 405);
    }

    private void register(String subject, Schema schema) throws Exception {
        http.ok("POST", "/subjects/" + subject + "/versions", schemaBody(schema));
    }

    private static JsonNode describe(String subject, int version, int id, Schema schema) {
        return RegistryHttp.JSON.createObjectNode().put("subject", subject).put("version", version).put("id", id)
                .put("schema", schema.toString());
    }
}
