//! Formatting many items into one byte stream on every core, written in order by the caller: the
//! output file's documents are formatted by worker threads a chunk at a time while the calling thread
//! writes the chunks before them. At most two chunks per worker are waiting, so memory stays a few
//! megabytes whatever the number of items.

use anyhow::{Result, anyhow};
use std::sync::mpsc::{Receiver, sync_channel};

/// Items per chunk: enough that handing a chunk over costs nothing next to formatting it.
const CHUNK_ITEMS: usize = 512;
/// Chunks a worker may have formatted ahead of the writer.
const AHEAD: usize = 2;

/// Calls `format(i, item, out)` for every item (`i` its index) and `write` with the formatted bytes,
/// in the items' order. The first error, of either, stops the rest.
pub fn in_order<T: Sync>(
    items: &[T],
    format: impl Fn(usize, &T, &mut Vec<u8>) -> Result<()> + Sync,
    mut write: impl FnMut(&[u8]) -> Result<()>,
) -> Result<()> {
    let chunks = items.len().div_ceil(CHUNK_ITEMS);
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(chunks);
    if workers <= 1 {
        let mut out = Vec::new();
        for c in 0..chunks {
            out.clear();
            format_chunk(items, c, &format, &mut out)?;
            write(&out)?;
        }
        return Ok(());
    }
    let format = &format;
    std::thread::scope(|scope| {
        // Worker w formats chunks w, w + workers, …: reading the workers in turn gives the chunks in order.
        let receivers: Vec<Receiver<Result<Vec<u8>>>> = (0..workers)
            .map(|w| {
                let (tx, rx) = sync_channel(AHEAD);
                scope.spawn(move || {
                    for c in (w..chunks).step_by(workers) {
                        let mut out = Vec::new();
                        let formatted = format_chunk(items, c, format, &mut out);
                        let failed = formatted.is_err();
                        // The writer stopped (it failed): nothing more is wanted.
                        if tx.send(formatted.map(|()| out)).is_err() || failed {
                            return;
                        }
                    }
                });
                rx
            })
            .collect();
        for c in 0..chunks {
            let chunk = receivers[c % workers].recv().map_err(|_| anyhow!("a formatting thread stopped"))??;
            write(&chunk)?;
        }
        Ok(())
    })
}

fn format_chunk<T>(items: &[T], chunk: usize, format: &impl Fn(usize, &T, &mut Vec<u8>) -> Result<()>, out: &mut Vec<u8>) -> Result<()> {
    let start = chunk * CHUNK_ITEMS;
    let end = (start + CHUNK_ITEMS).min(items.len());
    items[start..end].iter().enumerate().try_for_each(|(k, item)| format(start + k, item, out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbers(items: &[u32]) -> Result<String> {
        let mut text = Vec::new();
        in_order(
            items,
            |i, n, out| {
                out.extend_from_slice(format!("{i}:{n} ").as_bytes());
                Ok(())
            },
            |c| {
                text.extend_from_slice(c);
                Ok(())
            },
        )?;
        Ok(String::from_utf8(text)?)
    }

    #[test]
    fn every_item_comes_out_once_in_order_whatever_the_count() {
        for count in [0, 1, CHUNK_ITEMS - 1, CHUNK_ITEMS, CHUNK_ITEMS + 1, 5 * CHUNK_ITEMS + 7] {
            let items: Vec<u32> = (0..count as u32).map(|n| n * 3).collect();
            let expected: String = items.iter().enumerate().map(|(i, n)| format!("{i}:{n} ")).collect();
            assert_eq!(numbers(&items).unwrap(), expected, "{count} items");
        }
    }

    #[test]
    fn the_first_formatting_error_is_returned_and_nothing_after_it_is_written() {
        let items: Vec<usize> = (0..4 * CHUNK_ITEMS).collect();
        let mut written = 0;
        let err = in_order(
            &items,
            |_, n, out| {
                if *n == 2 * CHUNK_ITEMS + 3 {
                    return Err(anyhow!("item {n} is bad"));
                }
                out.push(b'x');
                Ok(())
            },
            |c| {
                written += c.len();
                Ok(())
            },
        )
        .unwrap_err();
        assert_eq!(err.to_string(), format!("item {} is bad", 2 * CHUNK_ITEMS + 3));
        assert!(written <= 2 * CHUNK_ITEMS, "chunks after the bad one are not written: {written}");
    }

    #[test]
    fn a_write_error_stops_the_workers_and_is_returned() {
        let items: Vec<usize> = (0..20 * CHUNK_ITEMS).collect();
        let err = in_order(
            &items,
            |_, _, out| {
                out.push(b'x');
                Ok(())
            },
            |_| Err(anyhow!("disk full")),
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "disk full");
    }
}
