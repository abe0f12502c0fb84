public enum ROOTIOPlaceholder {}
