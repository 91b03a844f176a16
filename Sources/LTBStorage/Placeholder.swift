import SQLKit
import SQLiteKit
import PostgresKit
enum StoragePlaceholder {}
