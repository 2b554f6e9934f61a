package dev.tip.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.async.ByteArrayFeeder;
import dev.tip.core.protocol.ProtocolException.Kind;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTreeBuilderTest {

    /** Records errors as "KIND field: detail"; refuses strings longer than 8 characters. */
    static final class RecordingContext implements JsonTreeBuilder.Context {
        final List<String> errors = new ArrayList<>();

        @Override
        public void error(Kind kind, String detail, String field) {
            errors.add(kind + " " + field + ": " + detail);
        }

        @Override
        public String checkLength(String s) {
            if (s.length() > 8) {
                throw new IllegalArgumentException("too long: " + s);
            }
            return s;
        }
    }

    private final RecordingContext context = new RecordingContext();

    /** Parses one JSON value (the whole input) with a real non-blocking parser into a tree. */
    private JsonValue build(ProtocolLimits limits, String json) throws IOException {
        JsonParser parser = ParserFactory.newParser(limits);
        // a space ends a number at the top level, where nothing else would
        byte[] b = (json + " ").getBytes(StandardCharsets.UTF_8);
        ((ByteArrayFeeder) parser.getNonBlockingInputFeeder()).feedInput(b, 0, b.length);
        ((ByteArrayFeeder) parser.getNonBlockingInputFeeder()).endOfInput();
        JsonTreeBuilder builder = new JsonTreeBuilder(limits, parser, context);
        JsonToken first = parser.nextToken();
        assertThat(first).isNotEqualTo(JsonToken.NOT_AVAILABLE);
        JsonValue v = builder.start(first, "X");
        JsonToken t;
        while (v == null && (t = parser.nextToken()) != null) {
            v = builder.onToken(t);
        }
        return v;
    }

    private JsonValue build(String json) throws IOException {
        return build(ProtocolLimits.DEFAULT, json);
    }

    private static Map<String, JsonValue> fields(Object... kv) {
        Map<String, JsonValue> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], (JsonValue) kv[i + 1]);
        }
        return m;
    }

    @Test
    void aScalarIsCompleteAtOnce() throws IOException {
        assertThat(build("\"caf\u00e9\"")).isEqualTo(JsonValue.of("caf\u00e9"));
        assertThat(build("-42")).isEqualTo(JsonValue.of(-42));
        assertThat(build("true")).isEqualTo(JsonValue.TRUE);
        assertThat(build("null")).isEqualTo(JsonValue.NULL);
        assertThat(build("1.50")).isEqualTo(new JsonValue.Num(new BigDecimal("1.50")));
        assertThat(build("123456789012345678901234567890"))
                .isEqualTo(new JsonValue.Num(new BigDecimal("123456789012345678901234567890")));
        assertThat(context.errors).isEmpty();
    }

    @Test
    void nestedContainersKeepTheirOrderAndExactNumbers() throws IOException {
        JsonValue v = build("{\"b\": [1, \"a\", {\"c\": null, \"a\": [true, 2.5E3]}], \"a\": {}}");
        JsonValue expected = new JsonValue.Obj(fields(
                "b",
                new JsonValue.Arr(List.of(
                        JsonValue.of(1),
                        JsonValue.of("a"),
                        new JsonValue.Obj(fields(
                                "c",
                                JsonValue.NULL,
                                "a",
                                new JsonValue.Arr(
                                        List.of(JsonValue.TRUE, new JsonValue.Num(new BigDecimal("2.5E3")))))))),
                "a",
                new JsonValue.Obj(Map.of())));
        assertThat(v).isEqualTo(expected);
        assertThat(((JsonValue.Obj) v).fields().keySet()).containsExactly("b", "a");
        assertThat(context.errors).isEmpty();
    }

    @Test
    void aDuplicateNameInAnObjectIsReportedNamingTheTopLevelField() throws IOException {
        build("{\"a\": 1, \"b\": {\"c\": 1, \"c\": 2}}");
        assertThat(context.errors).containsExactly("DUPLICATE_FIELD X: field c appears twice");
    }

    @Test
    void objectsAndArraysAreBoundedByTheLimits() throws IOException {
        ProtocolLimits limits = ProtocolLimits.DEFAULT.withMaxUsers(2);
        limits = new ProtocolLimits(limits.maxMessageBytes(), limits.maxNesting(), 100, 2, 3);
        build(limits, "{\"a\": 1, \"b\": 2, \"c\": 3, \"d\": 4}");
        assertThat(context.errors).containsExactly("TOO_MANY_ELEMENTS X: more fields than the limit maxFields=3");
        context.errors.clear();
        // arrays are bounded by the larger of the user and field limits: 3 here
        JsonValue a = build(limits, "[1, 2, 3]");
        assertThat(((JsonValue.Arr) a).values()).hasSize(3);
        assertThat(context.errors).isEmpty();
        JsonValue b = build(limits, "[1, 2, 3, 4, 5]");
        assertThat(((JsonValue.Arr) b).values()).hasSize(3);
        assertThat(context.errors).hasSize(2).allMatch(e -> e.startsWith("TOO_MANY_ELEMENTS X: array longer"));
    }

    @Test
    void aNumberBeyondBigDecimalIsOutOfRange() throws IOException {
        assertThat(build("100E8923127844")).isEqualTo(JsonValue.NULL);
        assertThat(context.errors).containsExactly("OUT_OF_RANGE X: number out of range: 100E8923127844");
    }

    @Test
    void stringsAndNamesGoThroughTheLengthCheck() {
        assertThatThrownBy(() -> build("[\"123456789\"]")).hasMessage("too long: 123456789");
        assertThatThrownBy(() -> build("{\"123456789\": 1}")).hasMessage("too long: 123456789");
    }
}
