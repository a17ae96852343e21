// Placeholder so the module builds before its sources land; remove when adding real files.
enum TrackerModulePlaceholder {}
