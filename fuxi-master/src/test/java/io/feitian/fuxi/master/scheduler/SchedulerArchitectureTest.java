package io.feitian.fuxi.master.scheduler;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/** The scheduler core is plain logic: no RPC, coordination, threads or I/O. */
class SchedulerArchitectureTest {

    private static final JavaClasses CORE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.feitian.fuxi.master.scheduler");

    @Test
    void importsNoPlumbing() {
        ArchRule rule = noClasses()
                .that().resideInAPackage("io.feitian.fuxi.master.scheduler..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "io.grpc..", "org.apache.curator..", "org.apache.zookeeper..", "io.feitian.proto..",
                        "java.util.concurrent..", "java.io..", "java.nio..", "java.net..", "java.time..")
                .because("the scheduler is a pure object driven by method calls; the daemon does the I/O");
        rule.check(CORE);
    }

    @Test
    void startsNoThreadsAndReadsNoClock() {
        noClasses()
                .that().resideInAPackage("io.feitian.fuxi.master.scheduler..")
                .should().dependOnClassesThat().haveFullyQualifiedName("java.lang.Thread")
                .orShould().callMethod(System.class, "currentTimeMillis")
                .orShould().callMethod(System.class, "nanoTime")
                .check(CORE);
    }

    @Test
    void theCoreClassesWereImported() {
        // guards against the rules passing vacuously on an empty import
        if (CORE.stream().noneMatch(c -> c.getSimpleName().equals("Scheduler"))) {
            throw new AssertionError("Scheduler class not found by the importer");
        }
    }
}
