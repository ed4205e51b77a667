// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Storage

extension Schema {
    /// The export order of usage files: a number given to a file each time it is accepted or
    /// rejected, larger than every number given before.
    ///
    /// Why: an export resumes after the last record it delivered, so its order must put every
    /// record that becomes exportable later after every record already exported. Row numbers do
    /// not: a file uploaded before an export started and accepted while it runs has rows below the
    /// export's cursor. Ordering files by when they became exportable, then records by their
    /// position within the file, does. A trigger gives the number, so it is given by the same
    /// statement that changes the status, in the writer's commit order, whichever code path
    /// changes it; a file re-uploaded after a rejection and accepted again gets a new one, since
    /// its record set is new. Existing reviewed files are numbered in their row order. The unique
    /// partial index both backs up the uniqueness and serves the export's scan of files in order.
    static let version6 = """
        ALTER TABLE usage_files ADD COLUMN accept_seq INTEGER;
        UPDATE usage_files SET accept_seq = seq WHERE status IN ('accepted', 'rejected', 'closed');
        CREATE UNIQUE INDEX usage_files_accept_seq ON usage_files (accept_seq) WHERE accept_seq IS NOT NULL;
        CREATE TRIGGER usage_files_accept_order AFTER UPDATE OF status ON usage_files
            WHEN NEW.status IN ('accepted', 'rejected') AND OLD.status IS NOT NEW.status
        BEGIN
            UPDATE usage_files SET accept_seq = (SELECT coalesce(max(accept_seq), 0) + 1 FROM usage_files)
                WHERE seq = NEW.seq;
        END;
        CREATE TRIGGER usage_files_accept_order_insert AFTER INSERT ON usage_files
            WHEN NEW.status IN ('accepted', 'rejected', 'closed')
        BEGIN
            UPDATE usage_files SET accept_seq = (SELECT coalesce(max(accept_seq), 0) + 1 FROM usage_files)
                WHERE seq = NEW.seq;
        END;
        """
}
