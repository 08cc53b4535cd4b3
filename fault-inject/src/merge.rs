//! Joining shard directories of one campaign into one directory.

use std::fs;
use std::path::{Path, PathBuf};

use crate::campaign::{
    check_records, differences, io, read_campaign, read_results, CampaignFile, Shard, CAMPAIGN,
    RESULTS,
};
use crate::packed::PACKED;

/// Merges `shards` into the new directory `out`; refuses shards of different campaigns,
/// overlapping ids and an existing `out`. Returns how many results were merged and which
/// shards are still incomplete.
pub fn merge(shards: &[PathBuf], out: &Path) -> Result<(usize, Vec<String>), String> {
    let first = shards
        .first()
        .ok_or("merge needs at least one shard directory")?;
    if out.exists() {
        return Err(format!(
            "{}: already exists; merge writes a new directory",
            out.display()
        ));
    }
    let base = read_campaign(first)?;
    let mut all = Vec::new();
    let mut incomplete = Vec::new();
    for dir in shards {
        let file = read_campaign(dir)?;
        let mut whole = file.clone();
        whole.shard = base.shard;
        if !whole.same_campaign(&base) {
            return Err(format!(
                "{} is not a shard of the campaign in {} ({})",
                dir.display(),
                first.display(),
                differences(&whole, &base).join("; ")
            ));
        }
        if dir.join(PACKED).exists() {
            return Err(format!(
                "{}: holds packed results; merge the shards' results.jsonl, then pack",
                dir.display()
            ));
        }
        let records = read_results(dir, false)?;
        check_records(&records, &file, dir)?;
        let expected = file.planned();
        if (records.len() as u64) < expected {
            incomplete.push(format!(
                "{} ({} of {expected})",
                dir.display(),
                records.len()
            ));
        }
        all.extend(records);
    }
    all.sort_by_key(|r| r.id);
    if let Some(pair) = all.windows(2).find(|w| w[0].id == w[1].id) {
        return Err(format!("result id {} is in two shards", pair[0].id));
    }
    let merged = CampaignFile {
        spec: base.spec,
        shard: Shard::WHOLE,
    };
    fs::create_dir_all(out).map_err(|e| io(out, e))?;
    let text = serde_json::to_string_pretty(&merged).map_err(|e| e.to_string())? + "\n";
    fs::write(out.join(CAMPAIGN), text).map_err(|e| io(out, e))?;
    let mut lines = String::new();
    for record in &all {
        lines += &serde_json::to_string(record).map_err(|e| e.to_string())?;
        lines.push('\n');
    }
    fs::write(out.join(RESULTS), lines).map_err(|e| io(out, e))?;
    Ok((all.len(), incomplete))
}
