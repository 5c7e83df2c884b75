// Placeholder: the Raster module is built by its own issue.
import CPNG
