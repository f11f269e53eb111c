package dev.smc;

import dev.smc.internal.Checks;

/** How data reaches the transit instance: over the public network, or a private one (VPC). */
public sealed interface NetworkMode permits NetworkMode.Public, NetworkMode.Private {
  static NetworkMode publicNetwork() {
    return Public.INSTANCE;
  }

  /** A private network: both the VPC and the vSwitch are required. */
  static NetworkMode privateNetwork(String vpcId, String vSwitchId) {
    return new Private(vpcId, vSwitchId);
  }

  /** The public network (default). */
  record Public() implements NetworkMode {
    static final Public INSTANCE = new Public();
  }

  /** A private network (VPC) through one of its vSwitches. */
  record Private(String vpcId, String vSwitchId) implements NetworkMode {
    public Private {
      Checks c = new Checks();
      if (vpcId == null || vpcId.isBlank()) {
        c.add("vpcId", vpcId, "required with a private network");
      }
      if (vSwitchId == null || vSwitchId.isBlank()) {
        c.add("vSwitchId", vSwitchId, "required with a private network");
      }
      c.throwIfAny();
    }
  }
}
