package io.feitian.dayu.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.feitian.proto.dayu.v1.ListModulesRequest;
import io.feitian.proto.dayu.v1.ModuleVersion;
import io.feitian.proto.dayu.v1.UploadPackageChunk;
import io.feitian.testkit.SamplePackages;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * UploadPackage and FetchPackage against a real server (loopback gRPC, H2 and the package store in
 * a temporary directory, packages limited to 4 MiB): what is uploaded comes back byte for byte, and
 * every refused or cancelled upload leaves neither a version in the database nor a file (a
 * published one leaves no file either: the database keeps the package).
 */
class PackageUploadTest {
  private static final long LIMIT = 4 * 1024 * 1024;

  @TempDir
  Path dataDir;
  private DayuServerFixture fixture;

  @BeforeEach
  void start() {
    fixture = new DayuServerFixture(dataDir, Map.of("dayu.server.max-package-size", LIMIT));
  }

  @AfterEach
  void stop() {
    fixture.close();
  }

  private Path packages() {
    return dataDir.resolve("packages");
  }

  private byte[] fetch(String module, String version, List<Integer> chunkSizes) {
    return fixture.fetch(module, version, chunkSizes);
  }

  /** Every file under the package store, relative to it. */
  private List<String> storedFiles() throws IOException {
    try (Stream<Path> files = Files.walk(packages())) {
      return files.filter(Files::isRegularFile).map(p -> packages().relativize(p).toString()).sorted().toList();
    }
  }

  private void assertNothingStored() throws IOException {
    assertThat(fixture.dayu().listModules(ListModulesRequest.getDefaultInstance()).getModulesList()).isEmpty();
    assertThat(storedFiles()).isEmpty();
  }

  private static void assertRefused(ThrowingCallable call, Status.Code code, String descriptionStart) {
    assertThatThrownBy(call).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
      assertThat(e.getStatus().getCode()).isEqualTo(code);
      assertThat(e.getStatus().getDescription()).startsWith(descriptionStart);
    });
  }

  @Test
  void anUploadedPackageComesBackByteForByte() throws IOException {
    byte[] bytes = SamplePackages.large("app", "1.0.0", 3 * 1024 * 1024);
    assertThat(bytes.length).isGreaterThan(2 * 1024 * 1024);
    ModuleVersion published = fixture.upload("app", "1.0.0", bytes);
    assertThat(published.getSha256()).isEqualTo(SamplePackages.sha256(bytes));
    assertThat(published.getSizeBytes()).isEqualTo(bytes.length);
    // The database keeps the package: the received file is gone.
    assertThat(storedFiles()).isEmpty();

    List<Integer> chunkSizes = new ArrayList<>();
    assertThat(fetch("app", "1.0.0", chunkSizes)).isEqualTo(bytes);
    assertThat(chunkSizes).hasSizeGreaterThan(2).allSatisfy(n -> assertThat(n).isBetween(1, 1024 * 1024));

    // The same package again answers the stored version and leaves it as it was.
    assertThat(fixture.upload("app", "1.0.0", bytes)).isEqualTo(published);
    assertThat(storedFiles()).isEmpty();
    assertThat(fetch("app", "1.0.0", new ArrayList<>())).isEqualTo(bytes);
  }

  @Test
  void aRestartedServerServesItsPackagesAndDropsUnfinishedUploads() throws IOException {
    byte[] bytes = SamplePackages.sample("app", "1.0.0");
    fixture.upload("app", "1.0.0", bytes);
    fixture.close();
    Path leftover = Files.writeString(packages().resolve(".incoming/upload-1.tar.gz"), "half an upload");
    fixture = new DayuServerFixture(dataDir);
    assertThat(leftover).doesNotExist();
    assertThat(fetch("app", "1.0.0", new ArrayList<>())).isEqualTo(bytes);
  }

  @Test
  void refusedUploadsLeaveNothing() throws IOException {
    byte[] good = SamplePackages.sample("app", "1.0.0");
    String goodSha = SamplePackages.sha256(good);
    byte[] other = SamplePackages.sample("app", "9.9.9");
    assertRefused(() -> fixture.upload(DayuServerFixture.header("app", "1.0.0", good)
        .setSha256(SamplePackages.sha256(other)).build(), good), Status.Code.INVALID_ARGUMENT,
        "sha256 is " + SamplePackages.sha256(other) + " (the header's), but the package's is " + goodSha);
    assertRefused(() -> fixture.upload(DayuServerFixture.header("app", "1.0.0", good)
        .setSizeBytes(good.length + 1).build(), good), Status.Code.INVALID_ARGUMENT,
        "size_bytes is " + (good.length + 1) + " (the header's), but " + good.length + " bytes arrived");
    assertRefused(() -> fixture.upload(DayuServerFixture.header("app", "1.0.0", good)
        .setSizeBytes(good.length - 1).build(), good), Status.Code.INVALID_ARGUMENT,
        "size_bytes is " + (good.length - 1) + " (the header's), but more bytes arrived");
    assertRefused(() -> fixture.upload("app", "1.0.0", SamplePackages.tarGz(Map.of("bin/app", "#!/bin/sh\n"))),
        Status.Code.INVALID_ARGUMENT, "package holds no dayu-module.conf at its root");
    assertRefused(() -> fixture.upload("app", "1.0.0", "not an archive".getBytes()),
        Status.Code.INVALID_ARGUMENT, "package is not a readable gzip-compressed tar archive");
    assertRefused(() -> fixture.upload("app", "1.0.0", SamplePackages.tarGz(Map.of(SamplePackages.DESCRIPTOR,
        SamplePackages.sampleDescriptor("app", "1.0.0"), "../../etc/cron.d/app", "* * * * * root true\n"))),
        Status.Code.INVALID_ARGUMENT, "package entry '../../etc/cron.d/app' leaves the module's directory");
    assertRefused(() -> fixture.upload("app", "1.0.0", other), Status.Code.INVALID_ARGUMENT,
        "descriptor describes app 9.9.9, not app 1.0.0 as the header says");
    assertRefused(() -> fixture.upload("app", "1.0.0", SamplePackages.tarGz(Map.of(SamplePackages.DESCRIPTOR,
        "name = app\nversion = \"1.0.0\"\n"))), Status.Code.INVALID_ARGUMENT, "descriptor dayu-module.conf:");
    assertRefused(() -> fixture.upload("App", "1.0.0", good), Status.Code.INVALID_ARGUMENT, "module must match");
    assertNothingStored();
  }

  @Test
  void packagesOverTheServersLimitAreRefusedBeforeTheyAreStored() throws IOException {
    byte[] big = SamplePackages.large("app", "1.0.0", (int) LIMIT * 3 / 2);
    assertThat((long) big.length).isGreaterThan(LIMIT);
    assertRefused(() -> fixture.upload("app", "1.0.0", big), Status.Code.INVALID_ARGUMENT,
        "size_bytes is " + big.length + "; this server takes packages of at most " + LIMIT + " bytes");
    // A header that understates the size is caught as the bytes arrive.
    assertRefused(() -> fixture.upload(DayuServerFixture.header("app", "1.0.0", big).setSizeBytes(LIMIT).build(),
        big), Status.Code.INVALID_ARGUMENT, "size_bytes is " + LIMIT + " (the header's), but more bytes arrived");
    assertNothingStored();
  }

  @Test
  void malformedStreamsAreRefused() throws IOException {
    byte[] good = SamplePackages.sample("app", "1.0.0");
    CompletableFuture<ModuleVersion> dataFirst = new CompletableFuture<>();
    StreamObserver<UploadPackageChunk> up = fixture.async().uploadPackage(DayuServerFixture.observer(dataFirst));
    up.onNext(UploadPackageChunk.newBuilder().setData(ByteString.copyFrom(good)).build());
    up.onCompleted();
    assertRefused(() -> DayuServerFixture.await(dataFirst), Status.Code.INVALID_ARGUMENT, "header is required");

    CompletableFuture<ModuleVersion> bigChunk = new CompletableFuture<>();
    up = fixture.async().uploadPackage(DayuServerFixture.observer(bigChunk));
    up.onNext(UploadPackageChunk.newBuilder().setHeader(DayuServerFixture.header("app", "1.0.0", new byte[3_000_000]))
        .build());
    up.onNext(UploadPackageChunk.newBuilder().setData(ByteString.copyFrom(new byte[2_000_000])).build());
    up.onCompleted();
    assertRefused(() -> DayuServerFixture.await(bigChunk), Status.Code.INVALID_ARGUMENT,
        "data is 2000000 bytes in one message; at most 1048576");

    CompletableFuture<ModuleVersion> noHeader = new CompletableFuture<>();
    up = fixture.async().uploadPackage(DayuServerFixture.observer(noHeader));
    up.onCompleted();
    assertRefused(() -> DayuServerFixture.await(noHeader), Status.Code.INVALID_ARGUMENT, "header is required");
    assertNothingStored();
  }

  @Test
  void aCancelledUploadLeavesNothing() throws IOException {
    byte[] bytes = SamplePackages.large("app", "1.0.0", 2 * 1024 * 1024);
    CompletableFuture<ModuleVersion> answer = new CompletableFuture<>();
    StreamObserver<UploadPackageChunk> up = fixture.async().uploadPackage(DayuServerFixture.observer(answer));
    up.onNext(UploadPackageChunk.newBuilder().setHeader(DayuServerFixture.header("app", "1.0.0", bytes)).build());
    up.onNext(UploadPackageChunk.newBuilder().setData(ByteString.copyFrom(bytes, 0, 1000)).build());
    Path incoming = packages().resolve(".incoming");
    await().atMost(Duration.ofSeconds(10)).until(() -> storedFiles().size() == 1
        && Files.size(packages().resolve(storedFiles().get(0))) == 1000);
    assertThat(storedFiles().get(0)).startsWith(".incoming/");

    up.onError(new RuntimeException("the operator pressed ctrl-c"));
    await().atMost(Duration.ofSeconds(10)).until(() -> storedFiles().isEmpty());
    assertThat(incoming).isEmptyDirectory();
    assertNothingStored();
  }

  @Test
  void fetchingWhatWasNeverPublished() throws IOException {
    fixture.publish("app", "1.0.0");
    assertRefused(() -> fetch("ghost", "1.0.0", new ArrayList<>()), Status.Code.NOT_FOUND,
        "module unknown module 'ghost'");
    assertRefused(() -> fetch("app", "2.0.0", new ArrayList<>()), Status.Code.NOT_FOUND,
        "version module 'app' has no version '2.0.0'");
    // A version recorded without its bytes (before the database kept packages) is the server's loss,
    // not the caller's mistake.
    fixture.database().modules().publish("app", "0.9.0", "0".repeat(64), 10, "name: app", "ops");
    assertRefused(() -> fetch("app", "0.9.0", new ArrayList<>()), Status.Code.DATA_LOSS,
        "version '0.9.0' of module 'app' was published with 10 bytes (1 chunks), but the database holds 0");
  }
}
