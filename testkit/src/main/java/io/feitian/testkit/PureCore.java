package io.feitian.testkit;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.syntax.elements.GivenClassesConjunction;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The rule every pure core (the scheduler, the grant and member books, the
 * partition table) is held to: it is driven by method calls and returns its
 * decisions, so it imports no RPC, coordination, concurrency or clock, starts
 * no thread and reads no time.
 */
public final class PureCore {
  private static final List<String> PLUMBING = List.of(
      "io.grpc..", "org.apache.curator..", "org.apache.zookeeper..", "java.util.concurrent..", "java.time..");

  private PureCore() {}

  /**
   * Checks the rule on {@code corePackage}, whose main class is {@code mainClass} (so an empty import cannot pass),
   * forbidding also {@code alsoForbidden} (package patterns such as "java.io..").
   */
  public static void check(String corePackage, String mainClass, String why, String... alsoForbidden) {
    JavaClasses core = importPackage(corePackage);
    if (core.stream().noneMatch(c -> c.getSimpleName().equals(mainClass))) {
      throw new AssertionError(mainClass + " not found in " + corePackage + ": the rules would pass on nothing");
    }
    enforce(() -> noClasses().that().resideInAPackage(corePackage + ".."), core, why, alsoForbidden);
  }

  /**
   * Checks the rule on one class and its nested classes, for a pure core that shares its package with the
   * shell that does its I/O (a renderer and the server that serves it).
   */
  public static void checkClass(Class<?> coreClass, String why, String... alsoForbidden) {
    JavaClasses imported = importPackage(coreClass.getPackageName());
    String name = Pattern.quote(coreClass.getName()) + "(\\$.*)?";
    if (imported.stream().noneMatch(c -> c.getName().equals(coreClass.getName()))) {
      throw new AssertionError(coreClass.getName() + " not imported: the rules would pass on nothing");
    }
    enforce(() -> noClasses().that().haveNameMatching(name), imported, why, alsoForbidden);
  }

  private static JavaClasses importPackage(String pkg) {
    return new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages(pkg);
  }

  private static void enforce(Supplier<GivenClassesConjunction> core, JavaClasses classes, String why,
      String... alsoForbidden) {
    List<String> forbidden = new ArrayList<>(PLUMBING);
    forbidden.addAll(List.of(alsoForbidden));
    core.get().should().dependOnClassesThat().resideInAnyPackage(forbidden.toArray(String[]::new))
        .because(why)
        .check(classes);
    core.get().should().dependOnClassesThat().haveFullyQualifiedName("java.lang.Thread")
        .orShould().callMethod(System.class, "currentTimeMillis")
        .orShould().callMethod(System.class, "nanoTime")
        .because("time is passed in and nothing runs on its own")
        .check(classes);
  }
}
