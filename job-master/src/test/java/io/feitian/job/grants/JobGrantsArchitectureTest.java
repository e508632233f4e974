package io.feitian.job.grants;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The grant book is plain logic: no RPC, coordination, threads or clock. */
class JobGrantsArchitectureTest {
  private static final JavaClasses CORE = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("io.feitian.job.grants");

  @Test
  void importsNoPlumbing() {
    noClasses().that().resideInAPackage("io.feitian.job.grants..")
        .should().dependOnClassesThat().resideInAnyPackage(
            "io.grpc..", "org.apache.curator..", "org.apache.zookeeper..", "java.util.concurrent..", "java.time..")
        .because("the grant book is a pure object driven by method calls; the job-master does the I/O")
        .check(CORE);
  }

  @Test
  void startsNoThreadsAndReadsNoClock() {
    noClasses().that().resideInAPackage("io.feitian.job.grants..")
        .should().dependOnClassesThat().haveFullyQualifiedName("java.lang.Thread")
        .orShould().callMethod(System.class, "currentTimeMillis")
        .orShould().callMethod(System.class, "nanoTime")
        .check(CORE);
  }

  @Test
  void theCoreClassesWereImported() {
    // guards against the rules passing vacuously on an empty import
    assertThat(CORE.stream().map(c -> c.getSimpleName())).contains("JobGrants", "Effect");
  }
}
