package dev.pipeline.kafka.registry;

/**
 * A registry call that failed, with Confluent's error code so callers can tell "not found" (a bad
 * record) from "registry down" (an outage) without parsing messages.
 */
public class SchemaRegistryException extends RuntimeException {
    public static final int SUBJECT_NOT_FOUND = 40401;
    public static final int VERSION_NOT_FOUND = 40402;
    public static final int SCHEMA_NOT_FOUND = 40403;
    public static final int SUBJECT_SOFT_DELETED = 40404;
    public static final int SUBJECT_NOT_SOFT_DELETED = 40405;
    public static final int VERSION_SOFT_DELETED = 40406;
    public static final int VERSION_NOT_SOFT_DELETED = 40407;
    public static final int SUBJECT_CONFIG_NOT_FOUND = 40408;
    public static final int INCOMPATIBLE_SCHEMA = 409;
    public static final int INVALID_SCHEMA = 42201;
    public static final int INVALID_VERSION = 42202;
    public static final int INVALID_COMPATIBILITY = 42203;
    public static final int STORE_ERROR = 50001;
    /** No answer from the registry at all (connection refused, timeout). */
    public static final int UNREACHABLE = -1;

    private final int httpStatus;
    private final int errorCode;

    public SchemaRegistryException(int httpStatus, int errorCode, String message) {
        this(httpStatus, errorCode, message, null);
    }

    public SchemaRegistryException(int httpStatus, int errorCode, String message, Throwable cause) {
        super(message, cause);
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
    }

    public int httpStatus() {
        return httpStatus;
    }

    public int errorCode() {
        return errorCode;
    }

    public boolean isNotFound() {
        return httpStatus == 404;
    }

    static SchemaRegistryException subjectNotFound(String subject) {
        return new SchemaRegistryException(404, SUBJECT_NOT_FOUND, "Subject '" + subject + "' not found.");
    }

    static SchemaRegistryException schemaNotFound(int id) {
        return new SchemaRegistryException(404, SCHEMA_NOT_FOUND, "Schema " + id + " not found");
    }

    // Messages below are Confluent's (io.confluent.kafka.schemaregistry.rest.exceptions.Errors),
    // because some clients match on them as well as on the code.

    static SchemaRegistryException versionNotFound(int version) {
        return new SchemaRegistryException(404, VERSION_NOT_FOUND, "Version " + version + " not found.");
    }

    static SchemaRegistryException schemaNotFound() {
        return new SchemaRegistryException(404, SCHEMA_NOT_FOUND, "Schema not found");
    }

    static SchemaRegistryException subjectSoftDeleted(String subject) {
        return new SchemaRegistryException(404, SUBJECT_SOFT_DELETED,
                "Subject '" + subject + "' was soft deleted.Set permanent=true to delete permanently");
    }

    static SchemaRegistryException subjectNotSoftDeleted(String subject) {
        return new SchemaRegistryException(404, SUBJECT_NOT_SOFT_DELETED,
                "Subject '" + subject + "' was not deleted first before being permanently deleted");
    }

    static SchemaRegistryException versionSoftDeleted(String subject, int version) {
        return new SchemaRegistryException(404, VERSION_SOFT_DELETED, "Subject '" + subject + "' Version "
                + version + " was soft deleted.Set permanent=true to delete permanently");
    }

    static SchemaRegistryException versionNotSoftDeleted(String subject, int version) {
        return new SchemaRegistryException(404, VERSION_NOT_SOFT_DELETED, "Subject '" + subject + "' Version "
                + version + " was not deleted first before being permanently deleted");
    }

    static SchemaRegistryException subjectConfigNotFound(String subject) {
        return new SchemaRegistryException(404, SUBJECT_CONFIG_NOT_FOUND,
                "Subject '" + subject + "' does not have subject-level compatibility configured");
    }

    static SchemaRegistryException invalidVersion(String version) {
        return new SchemaRegistryException(422, INVALID_VERSION, "The specified version '" + version
                + "' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"");
    }

    static SchemaRegistryException invalidCompatibility() {
        return new SchemaRegistryException(422, INVALID_COMPATIBILITY, "Invalid compatibility level. Valid values"
                + " are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive");
    }

    static SchemaRegistryException invalidSchema(String why) {
        return new SchemaRegistryException(422, INVALID_SCHEMA, "Invalid schema: " + why);
    }

    static SchemaRegistryException notFound() {
        return new SchemaRegistryException(404, 404, "HTTP 404 Not Found");
    }
}
