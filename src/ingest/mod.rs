//! Input: workspace discovery, Excel and YAML reading, validation.
