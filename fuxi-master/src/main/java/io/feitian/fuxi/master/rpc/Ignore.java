package io.feitian.fuxi.master.rpc;

import io.grpc.stub.StreamObserver;

/** The request side of a stream that was refused at its start. */
final class Ignore<T> implements StreamObserver<T> {
  @Override
  public void onNext(T value) {}

  @Override
  public void onError(Throwable t) {}

  @Override
  public void onCompleted() {}
}
