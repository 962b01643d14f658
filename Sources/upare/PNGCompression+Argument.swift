public import ArgumentParser
public import Raster

/// `--png-compression fast|default|best` on `convert` and `disorder`.
extension PNG.Compression: ExpressibleByArgument {}
