package io.feitian.service.members;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The member book is plain logic: no RPC, coordination, threads or clock. */
class MemberBookArchitectureTest {
  private static final JavaClasses CORE = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("io.feitian.service.members");

  @Test
  void importsNoPlumbing() {
    noClasses().that().resideInAPackage("io.feitian.service.members..")
        .should().dependOnClassesThat().resideInAnyPackage("io.grpc..", "org.apache.curator..",
            "org.apache.zookeeper..", "java.util.concurrent..", "java.io..", "java.nio..", "java.net..", "java.time..")
        .because("the member book is a plain object driven by method calls; the service-master does the I/O")
        .check(CORE);
  }

  @Test
  void startsNoThreadsAndReadsNoClock() {
    noClasses().that().resideInAPackage("io.feitian.service.members..")
        .should().dependOnClassesThat().haveFullyQualifiedName("java.lang.Thread")
        .orShould().callMethod(System.class, "currentTimeMillis")
        .orShould().callMethod(System.class, "nanoTime")
        .check(CORE);
  }

  @Test
  void theCoreClassesWereImported() {
    // guards against the rules passing vacuously on an empty import
    if (CORE.stream().noneMatch(c -> c.getSimpleName().equals("MemberBook"))) {
      throw new AssertionError("MemberBook class not found by the importer");
    }
  }
}
