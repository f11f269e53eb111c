/**
 * Batch creation of migration tasks from a spreadsheet (.xlsx or .csv, one row a task, one column
 * per {@code smc task create} option): the template, import with every problem reported by row and
 * column before anything is created, and export.
 */
@ParametersAreNonnullByDefault
package dev.smc.batch;

import javax.annotation.ParametersAreNonnullByDefault;
