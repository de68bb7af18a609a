package io.heartbeat.deployment;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.signature.SignatureReader;
import org.objectweb.asm.signature.SignatureVisitor;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.AnnotationNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.FieldInsnNode;
import org.objectweb.asm.tree.FieldNode;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.RecordComponentNode;
import org.objectweb.asm.tree.TypeInsnNode;
import org.objectweb.asm.tree.analysis.Analyzer;
import org.objectweb.asm.tree.analysis.AnalyzerException;
import org.objectweb.asm.tree.analysis.BasicInterpreter;
import org.objectweb.asm.tree.analysis.BasicValue;
import org.objectweb.asm.tree.analysis.Frame;

/**
 * Which of the platform's own types a service hands to Jackson, read from its compiled classes (and those of the
 * libraries it carries, service-common and contracts), and which it registers for reflection.
 *
 * <p>
 * Serialized are: the static type of every value passed to {@code EventJson.write/writeBytes} or to an
 * {@code ObjectMapper}'s write, convert and read methods, the class constants and {@code TypeReference}s those read
 * methods are given, the types in the signatures of JAX-RS resource methods, every record in a {@code rest} package,
 * and then everything these reach through record components, fields, generic arguments and permitted subclasses. A
 * static type is tracked through locals, fields and method returns (with their generic signatures) by a small data
 * flow analysis (ASM's analyzer), so nothing is found by class name: classes may move between packages.
 *
 * <p>
 * Registered are the {@code targets} and {@code classNames} of every {@code @RegisterForReflection} in the service
 * and in service-common, and the classes annotated without either.
 */
final class SerializedTypes {

    static final String OURS = "io/heartbeat/";
    static final String REGISTER = "Lio/quarkus/runtime/annotations/RegisterForReflection;";
    static final String PATH = "Ljakarta/ws/rs/Path;";
    static final Set<String> JACKSON_OWNERS = Set.of("io/heartbeat/contracts/EventJson",
            "com/fasterxml/jackson/databind/ObjectMapper", "com/fasterxml/jackson/databind/json/JsonMapper",
            "com/fasterxml/jackson/databind/ObjectWriter", "com/fasterxml/jackson/databind/ObjectReader");
    static final String TYPE_REFERENCE = "com/fasterxml/jackson/core/type/TypeReference";

    private final Map<String, ClassNode> classes = new HashMap<>();
    private final Set<String> own = new TreeSet<>();
    private final Set<String> shared = new TreeSet<>();

    /**
     * @param serviceClasses the service's {@code target/classes}
     * @param libraryClasses the libraries' {@code target/classes} (service-common, contracts)
     */
    SerializedTypes(Path serviceClasses, List<Path> libraryClasses) {
        read(serviceClasses, own);
        for (Path lib : libraryClasses) {
            read(lib, shared);
        }
    }

    /** Every class of ours that the service serializes, with one place that made it so (for the failure message). */
    Map<String, String> serialized() {
        Map<String, String> found = new TreeMap<>();
        for (String name : classes.keySet()) {
            ClassNode c = classes.get(name);
            for (MethodNode m : c.methods) {
                if (callsJackson(m)) {
                    jacksonSites(c, m, found);
                }
            }
            if (annotated(c, PATH)) {
                for (MethodNode m : c.methods) {
                    if ((m.access & Opcodes.ACC_PUBLIC) != 0 && !m.name.startsWith("<")) {
                        String where = dotted(name) + "." + m.name + " (REST signature)";
                        typesOf(m.signature != null ? m.signature : m.desc).forEach(t -> found.putIfAbsent(t, where));
                    }
                }
            }
            if (isRecord(c) && dotted(name).contains(".rest.")) {
                found.putIfAbsent(name, "a record in a rest package");
            }
        }
        // everything reachable from there
        Deque<String> todo = new ArrayDeque<>(found.keySet());
        while (!todo.isEmpty()) {
            String name = todo.pop();
            ClassNode c = classes.get(name);
            if (c == null) {
                continue;
            }
            for (String reached : reachable(c)) {
                if (!found.containsKey(reached) && classes.containsKey(reached)) {
                    found.put(reached, "reached from " + dotted(name));
                    todo.push(reached);
                }
            }
        }
        // what reflection needs: records, enums and concrete classes with state (not interfaces, not annotations)
        found.keySet().removeIf(n -> !classes.containsKey(n) || !needsReflection(classes.get(n)));
        Map<String, String> dottedNames = new TreeMap<>();
        found.forEach((k, v) -> dottedNames.put(dotted(k), v));
        return dottedNames;
    }

    /** The classes the service registers for reflection (dotted names); a className naming no class is kept too. */
    Set<String> registered() {
        Set<String> names = new TreeSet<>();
        for (String name : classes.keySet()) {
            if (!own.contains(name) && !(shared.contains(name) && name.startsWith("io/heartbeat/common/"))) {
                continue;
            }
            ClassNode c = classes.get(name);
            for (AnnotationNode a : annotations(c)) {
                if (!a.desc.equals(REGISTER)) {
                    continue;
                }
                boolean named = false;
                if (a.values != null) {
                    for (int i = 0; i < a.values.size(); i += 2) {
                        String key = (String) a.values.get(i);
                        Object value = a.values.get(i + 1);
                        if (key.equals("targets")) {
                            for (Object t : (List<?>) value) {
                                names.add(((Type) t).getClassName());
                                named = true;
                            }
                        } else if (key.equals("classNames")) {
                            for (Object n : (List<?>) value) {
                                names.add((String) n);
                                named = true;
                            }
                        }
                    }
                }
                if (!named) {
                    names.add(dotted(name));
                }
            }
        }
        return names;
    }

    boolean exists(String dottedName) {
        return classes.containsKey(dottedName.replace('.', '/'));
    }

    private void jacksonSites(ClassNode owner, MethodNode m, Map<String, String> found) {
        Frame<BasicValue>[] frames;
        try {
            frames = new Analyzer<>(new Types()).analyze(owner.name, m);
        } catch (AnalyzerException e) {
            throw new IllegalStateException("cannot analyze " + owner.name + "." + m.name, e);
        }
        AbstractInsnNode[] insns = m.instructions.toArray();
        for (int i = 0; i < insns.length; i++) {
            if (!(insns[i] instanceof MethodInsnNode call) || !isJackson(call) || frames[i] == null) {
                continue;
            }
            Type[] args = Type.getArgumentTypes(call.desc);
            Frame<BasicValue> f = frames[i];
            String where = dotted(owner.name) + "." + m.name + " (" + call.name + ")";
            for (int a = 0; a < args.length; a++) {
                BasicValue v = f.getStack(f.getStackSize() - args.length + a);
                String arg = args[a].getDescriptor();
                if (arg.equals("Ljava/lang/Object;") || arg.equals("Ljava/lang/Class;")
                        || arg.equals("L" + TYPE_REFERENCE + ";")) {
                    valueTypes(v).forEach(t -> found.putIfAbsent(t, where));
                }
            }
        }
    }

    /** The classes of ours a value stands for: its static type and generic arguments, a class constant's class. */
    private Set<String> valueTypes(BasicValue v) {
        Set<String> names = new TreeSet<>();
        if (!(v instanceof Typed t)) {
            return names;
        }
        if (t.constant != null && t.constant.getSort() == Type.OBJECT) {
            names.add(t.constant.getInternalName());
        }
        if (t.getType() != null && t.getType().getSort() == Type.OBJECT) {
            String name = t.getType().getInternalName();
            names.add(name);
            ClassNode c = classes.get(name);
            if (c != null && TYPE_REFERENCE.equals(c.superName) && c.signature != null) {
                names.addAll(typesOf(c.signature));
            }
        }
        if (t.signature != null) {
            names.addAll(typesOf(t.signature));
        }
        names.removeIf(n -> !n.startsWith(OURS));
        return names;
    }

    private Set<String> reachable(ClassNode c) {
        Set<String> names = new TreeSet<>();
        if (c.recordComponents != null) {
            for (RecordComponentNode rc : c.recordComponents) {
                names.addAll(typesOf(rc.signature != null ? rc.signature : rc.descriptor));
            }
        } else {
            for (FieldNode f : c.fields) {
                if ((f.access & Opcodes.ACC_STATIC) == 0) {
                    names.addAll(typesOf(f.signature != null ? f.signature : f.desc));
                }
            }
        }
        if (c.permittedSubclasses != null) {
            names.addAll(c.permittedSubclasses);
        }
        return names;
    }

    private boolean needsReflection(ClassNode c) {
        if ((c.access & (Opcodes.ACC_INTERFACE | Opcodes.ACC_ANNOTATION)) != 0) {
            return false;
        }
        if (isRecord(c) || (c.access & Opcodes.ACC_ENUM) != 0) {
            return true;
        }
        return (c.access & Opcodes.ACC_ABSTRACT) == 0
                && c.fields.stream().anyMatch(f -> (f.access & Opcodes.ACC_STATIC) == 0);
    }

    private static boolean isRecord(ClassNode c) {
        return "java/lang/Record".equals(c.superName);
    }

    private static boolean callsJackson(MethodNode m) {
        for (AbstractInsnNode insn : m.instructions) {
            if (insn instanceof MethodInsnNode call && isJackson(call)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isJackson(MethodInsnNode call) {
        return JACKSON_OWNERS.contains(call.owner) && (call.name.startsWith("write") || call.name.startsWith("read")
                || call.name.equals("convertValue") || call.name.equals("valueToTree")
                || call.name.equals("treeToValue") || call.name.equals("updateValue"));
    }

    /** Every class named in a descriptor or generic signature. */
    static Set<String> typesOf(String signatureOrDescriptor) {
        Set<String> names = new TreeSet<>();
        new SignatureReader(signatureOrDescriptor).accept(new SignatureVisitor(Opcodes.ASM9) {
            @Override
            public void visitClassType(String name) {
                names.add(name);
            }

            @Override
            public void visitInnerClassType(String name) {
                // Outer<T>.Inner: the signature names the inner class by its simple name after the outer one
            }
        });
        return names;
    }

    private static boolean annotated(ClassNode c, String desc) {
        return annotations(c).stream().anyMatch(a -> a.desc.equals(desc));
    }

    private static List<AnnotationNode> annotations(ClassNode c) {
        List<AnnotationNode> all = new ArrayList<>();
        if (c.visibleAnnotations != null) {
            all.addAll(c.visibleAnnotations);
        }
        if (c.invisibleAnnotations != null) {
            all.addAll(c.invisibleAnnotations);
        }
        return all;
    }

    static String dotted(String internalName) {
        return internalName.replace('/', '.');
    }

    private void read(Path dir, Set<String> into) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException(dir + " does not exist: build the module first (./mvnw install -DskipTests)");
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                try (InputStream in = Files.newInputStream(p)) {
                    ClassNode c = new ClassNode();
                    new ClassReader(in).accept(c, ClassReader.SKIP_FRAMES);
                    classes.put(c.name, c);
                    into.add(c.name);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A reference value with its static type, and where known its generic signature or class constant. */
    static final class Typed extends BasicValue {
        final String signature;
        final Type constant;

        Typed(Type type, String signature, Type constant) {
            super(type);
            this.signature = signature;
            this.constant = constant;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Typed t && super.equals(t) && java.util.Objects.equals(signature, t.signature)
                    && java.util.Objects.equals(constant, t.constant);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(super.hashCode(), signature, constant);
        }
    }

    /** ASM's basic interpreter, keeping reference types (and what they came from) instead of "some reference". */
    final class Types extends BasicInterpreter {
        Types() {
            super(Opcodes.ASM9);
        }

        @Override
        public BasicValue newValue(Type type) {
            if (type != null && (type.getSort() == Type.OBJECT || type.getSort() == Type.ARRAY)) {
                return new Typed(type, null, null);
            }
            return super.newValue(type);
        }

        @Override
        public BasicValue newOperation(AbstractInsnNode insn) throws AnalyzerException {
            if (insn instanceof LdcInsnNode ldc && ldc.cst instanceof Type t && t.getSort() == Type.OBJECT) {
                return new Typed(Type.getType(Class.class), null, t);
            }
            if (insn instanceof FieldInsnNode f && insn.getOpcode() == Opcodes.GETSTATIC) {
                return field(f);
            }
            return super.newOperation(insn);
        }

        @Override
        public BasicValue unaryOperation(AbstractInsnNode insn, BasicValue value) throws AnalyzerException {
            if (insn instanceof FieldInsnNode f && insn.getOpcode() == Opcodes.GETFIELD) {
                return field(f);
            }
            if (insn instanceof TypeInsnNode t && insn.getOpcode() == Opcodes.CHECKCAST) {
                return new Typed(Type.getObjectType(t.desc), null, null);
            }
            return super.unaryOperation(insn, value);
        }

        @Override
        public BasicValue naryOperation(AbstractInsnNode insn, List<? extends BasicValue> values)
                throws AnalyzerException {
            if (insn instanceof MethodInsnNode call) {
                ClassNode owner = classes.get(call.owner);
                if (owner != null) {
                    for (MethodNode m : owner.methods) {
                        if (m.name.equals(call.name) && m.desc.equals(call.desc) && m.signature != null) {
                            Type ret = Type.getReturnType(call.desc);
                            if (ret.getSort() == Type.OBJECT || ret.getSort() == Type.ARRAY) {
                                int close = m.signature.lastIndexOf(')');
                                return new Typed(ret, m.signature.substring(close + 1), null);
                            }
                        }
                    }
                }
            }
            return super.naryOperation(insn, values);
        }

        @Override
        public BasicValue merge(BasicValue a, BasicValue b) {
            if (a.equals(b)) {
                return a;
            }
            if (a.isReference() && b.isReference()) {
                return BasicValue.REFERENCE_VALUE;
            }
            return super.merge(a, b);
        }

        private BasicValue field(FieldInsnNode f) {
            ClassNode owner = classes.get(f.owner);
            if (owner != null) {
                for (FieldNode field : owner.fields) {
                    if (field.name.equals(f.name) && field.signature != null) {
                        return new Typed(Type.getType(f.desc), field.signature, null);
                    }
                }
            }
            return newValue(Type.getType(f.desc));
        }
    }
}
