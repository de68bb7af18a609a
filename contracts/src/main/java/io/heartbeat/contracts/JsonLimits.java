package io.heartbeat.contracts;

import java.io.DataInput;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.ObjectCodec;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.IOContext;
import com.fasterxml.jackson.core.util.JsonParserDelegate;

/**
 * The rules every JSON document read by the platform obeys, whatever it is bound to (a record, a
 * {@code Map<String, Object>}, a tree), enforced once in the parser: {@link #factory()} makes a {@link JsonFactory}
 * whose parsers
 * <ul>
 * <li>refuse a string value or object key holding NUL ({@code \u0000}) or a lone UTF-16 surrogate: Postgres cannot
 * store either in {@code text}/{@code jsonb}, so such a string would fail a whole batch later instead of one request
 * now;</li>
 * <li>refuse a key that appears twice in one object (which one wins differs between readers);</li>
 * <li>refuse nesting deeper than {@value #MAX_DEPTH}, strings longer than {@value #MAX_STRING_LENGTH} characters, keys
 * longer than {@value #MAX_NAME_LENGTH} and documents longer than {@value #MAX_DOCUMENT_LENGTH} bytes, while parsing,
 * before anything is built in memory.</li>
 * </ul>
 * A refusal is a {@link Violation} (a {@link JsonParseException}) that names where in the document it is. Every
 * event ({@link EventJson}) and every REST body of every service is read with this factory.
 */
public final class JsonLimits {

    /** Deepest nesting of objects and arrays. */
    public static final int MAX_DEPTH = 32;
    /** Longest string value, in characters. */
    public static final int MAX_STRING_LENGTH = 1024 * 1024;
    /** Longest object key, in characters. */
    public static final int MAX_NAME_LENGTH = 4096;
    /** Longest document, in bytes (or characters when read from text). */
    public static final long MAX_DOCUMENT_LENGTH = 10L * 1024 * 1024;

    private JsonLimits() {
    }

    /** @return a new JSON factory with the limits and the string checks; give it to an {@code ObjectMapper}. */
    public static JsonFactory factory() {
        GuardedFactory f = new GuardedFactory();
        f.setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(MAX_DEPTH)
                .maxStringLength(MAX_STRING_LENGTH)
                .maxNameLength(MAX_NAME_LENGTH)
                .maxDocumentLength(MAX_DOCUMENT_LENGTH)
                .build());
        f.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        return f;
    }

    /**
     * What is wrong with {@code s} for storage, or {@code null} if nothing is: it must hold no NUL and no lone
     * surrogate. Also used for path and query parameters.
     */
    public static String textProblem(CharSequence s) {
        if (s == null) {
            return null;
        }
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c == 0) {
                return "contains a NUL character (\\u0000)";
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return "contains a lone surrogate (\\u" + Integer.toHexString(c).toUpperCase() + ")";
            }
            if (Character.isLowSurrogate(c)) {
                return "contains a lone surrogate (\\u" + Integer.toHexString(c).toUpperCase() + ")";
            }
        }
        return null;
    }

    /** {@code s} with NUL, other control characters and lone surrogates shown as {@code \\uXXXX}, for messages. */
    public static String printable(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean pair = Character.isHighSurrogate(c) && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(i + 1));
            if (pair) {
                sb.append(c).append(s.charAt(++i));
            } else if (c < 0x20 || Character.isSurrogate(c)) {
                sb.append(String.format("\\u%04X", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** A document broke one of the rules; {@link #path()} says where, {@link #reason()} what. */
    public static final class Violation extends JsonParseException {

        private static final long serialVersionUID = 1L;

        private final String path;
        private final String reason;

        Violation(JsonParser p, String path, String reason, Throwable cause) {
            super(p, (path.isEmpty() ? "the document" : "'" + path + "'") + " " + reason, cause);
            this.path = path;
            this.reason = reason;
        }

        /** Where: {@code a.b[2].c}, empty for the top level. */
        public String path() {
            return path;
        }

        /** What, e.g. {@code contains a NUL character (\u0000)}. */
        public String reason() {
            return reason;
        }
    }

    /** The dotted path of {@code context}'s current entry ({@code a.b[2]}), empty at the top level. */
    static String path(JsonStreamContext context) {
        if (context == null || context.inRoot()) {
            return "";
        }
        String parent = path(context.getParent());
        if (context.inArray()) {
            return parent + "[" + Math.max(context.getCurrentIndex(), 0) + "]";
        }
        String name = context.getCurrentName();
        if (name == null) {
            return parent;
        }
        return parent.isEmpty() ? printable(name) : parent + "." + printable(name);
    }

    private static final class GuardedFactory extends JsonFactory {

        private static final long serialVersionUID = 1L;

        GuardedFactory() {
            super();
        }

        GuardedFactory(JsonFactory src, ObjectCodec codec) {
            super(src, codec);
        }

        @Override
        public JsonFactory copy() {
            return new GuardedFactory(this, null);
        }

        @Override
        protected JsonParser _createParser(InputStream in, IOContext ctxt) throws IOException {
            return new GuardedParser(super._createParser(in, ctxt));
        }

        @Override
        protected JsonParser _createParser(Reader r, IOContext ctxt) throws IOException {
            return new GuardedParser(super._createParser(r, ctxt));
        }

        @Override
        protected JsonParser _createParser(char[] data, int offset, int len, IOContext ctxt, boolean recyclable)
                throws IOException {
            return new GuardedParser(super._createParser(data, offset, len, ctxt, recyclable));
        }

        @Override
        protected JsonParser _createParser(byte[] data, int offset, int len, IOContext ctxt) throws IOException {
            return new GuardedParser(super._createParser(data, offset, len, ctxt));
        }

        @Override
        protected JsonParser _createParser(DataInput input, IOContext ctxt) throws IOException {
            return new GuardedParser(super._createParser(input, ctxt));
        }
    }

    /**
     * Checks every key and string value as it is read. The parser's other {@code next...} methods of
     * {@link JsonParser} go through {@link #nextToken()}, so nothing is read unchecked (content skipped with
     * {@code skipChildren} is still under the limits, and never reaches a value).
     */
    private static final class GuardedParser extends JsonParserDelegate {

        GuardedParser(JsonParser d) {
            super(d);
        }

        @Override
        public JsonToken nextToken() throws IOException {
            JsonToken t;
            String text = null;
            try {
                t = delegate.nextToken();
                if (t == JsonToken.FIELD_NAME || t == JsonToken.VALUE_STRING) {
                    text = delegate.getText(); // strings are read lazily: this is where their length is checked
                }
            } catch (StreamConstraintsException e) {
                throw new Violation(this, path(delegate.getParsingContext()), limit(e.getOriginalMessage()), e);
            } catch (JsonParseException e) {
                String m = e.getOriginalMessage();
                if (m != null && m.startsWith("Duplicate field")) {
                    throw new Violation(this, path(delegate.getParsingContext()), "is a duplicated key", e);
                }
                if (m != null && m.contains("surrogate")) {
                    // Jackson's own check of keys read from bytes
                    throw new Violation(this, path(delegate.getParsingContext()), "(a key) contains a lone surrogate",
                            e);
                }
                throw e;
            }
            if (text != null) {
                String problem = textProblem(text);
                if (problem != null) {
                    String where = path(delegate.getParsingContext());
                    throw new Violation(this, where, t == JsonToken.FIELD_NAME ? "(a key) " + problem : problem,
                            null);
                }
            }
            return t;
        }

        @Override
        public JsonToken nextValue() throws IOException {
            JsonToken t = nextToken();
            if (t == JsonToken.FIELD_NAME) {
                t = nextToken();
            }
            return t;
        }

        private static String limit(String jacksonMessage) {
            String m = jacksonMessage == null ? "" : jacksonMessage;
            if (m.contains("nesting depth")) {
                return "nests deeper than " + MAX_DEPTH + " levels of objects and arrays";
            } else if (m.contains("String value length")) {
                return "is longer than " + MAX_STRING_LENGTH + " characters";
            } else if (m.contains("Name length")) {
                return "has a key longer than " + MAX_NAME_LENGTH + " characters";
            } else if (m.contains("Document length")) {
                return "is longer than " + MAX_DOCUMENT_LENGTH + " bytes";
            } else if (m.contains("Number value length")) {
                return "has a number with too many digits";
            }
            return "is over a size limit";
        }
    }
}
