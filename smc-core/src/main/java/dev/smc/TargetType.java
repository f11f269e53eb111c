package dev.smc;

/** What a task produces. Container images cannot be made from Windows sources. */
public enum TargetType {
  CLOUD_IMAGE, CONTAINER_IMAGE
}
