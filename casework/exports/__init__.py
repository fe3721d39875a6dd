"""Every list taken out as CSV (German Excel) or XLSX: exactly the filtered rows the person may see."""
