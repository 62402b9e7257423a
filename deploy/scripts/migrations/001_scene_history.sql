-- Baseline: the scene history table as SpaceTime 1.0 creates it (src/SpaceTime.Runtime/Scenes/SceneHistoryStore.cs).
CREATE TABLE IF NOT EXISTS scene_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    scene_path TEXT NOT NULL,
    scene_name TEXT,
    loaded_at TEXT NOT NULL,
    load_duration_ms REAL,
    result TEXT NOT NULL,
    error TEXT
);
