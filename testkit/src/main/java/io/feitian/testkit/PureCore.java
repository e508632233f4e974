package io.feitian.testkit;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.ArrayList;
import java.util.List;

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
    JavaClasses core = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages(corePackage);
    if (core.stream().noneMatch(c -> c.getSimpleName().equals(mainClass))) {
      throw new AssertionError(mainClass + " not found in " + corePackage + ": the rules would pass on nothing");
    }
    List<String> forbidden = new ArrayList<>(PLUMBING);
    forbidden.addAll(List.of(alsoForbidden));
    noClasses().that().resideInAPackage(corePackage + "..")
        .should().dependOnClassesThat().resideInAnyPackage(forbidden.toArray(String[]::new))
        .because(why)
        .check(core);
    noClasses().that().resideInAPackage(corePackage + "..")
        .should().dependOnClassesThat().haveFullyQualifiedName("java.lang.Thread")
        .orShould().callMethod(System.class, "currentTimeMillis")
        .orShould().callMethod(System.class, "nanoTime")
        .because("time is passed in and nothing runs on its own")
        .check(core);
  }
}
