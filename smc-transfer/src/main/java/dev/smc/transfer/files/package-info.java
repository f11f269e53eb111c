/** File-level migration: walk a tree, reuse unchanged files from the parent image, store changed chunks; restore a tree exactly. */
@ParametersAreNonnullByDefault
package dev.smc.transfer.files;

import javax.annotation.ParametersAreNonnullByDefault;
