package io.feitian.service.members;

/** A role as the book sees it: its name and its placement limits per node and per rack (0 for none). */
public record Role(String name, int maxPerNode, int maxPerRack) {
  public boolean limited() {
    return maxPerNode > 0 || maxPerRack > 0;
  }
}
