package io.sbulb.xdp.attach;

/** The XDP mode asked for: one of the two, or native where the driver can and generic elsewhere. */
public enum ModeChoice {
    /** Native if the driver supports it, else generic (with a warning naming the interface and why). */
    AUTO,
    /** Native only: fails on an interface whose driver has no native XDP. */
    NATIVE,
    /** Generic only. */
    GENERIC
}
