"""Chain pages: operators record under /w/, inspectors trace and recall under /r/."""
