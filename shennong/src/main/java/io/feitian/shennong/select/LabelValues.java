package io.feitian.shennong.select;

/** The labels of one series or event, as a selector reads them. */
@FunctionalInterface
public interface LabelValues {
  /** The value of the label, or "" when it is absent: an absent label and an empty one are the same. */
  String valueOf(String label);
}
