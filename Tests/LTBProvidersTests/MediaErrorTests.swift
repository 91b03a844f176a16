import Foundation
import LTBCore
import LTBFakeServer
import Testing

@testable import LTBProviders

/// A vendor refusing a request's image, in each vendor's own error envelope: an unreadable
/// format and an image over its size limit are invalid requests whose fix says what to send; a
/// model that takes no images (llama.cpp without its projector answers 500, Ollama's text-only
/// models 500 too) is an unsupported capability, not retried. Each request is sent once.
@Suite("Vendor media errors")
struct MediaErrorTests {
  static let request = CompletionRequest(
    messages: [
      Message(
        role: .user,
        content: [
          .text("What is in the picture?"),
          .image(
            ImageContent(
              source: .inline(data: Data([0x89, 0x50, 0x4E, 0x47, 1, 2, 3]), mediaType: "image/png"),
              width: 10, height: 10)),
        ])
    ])

  /// Every vendor whose chat API takes images (llama.cpp's native `/completion` does not: its
  /// images go through its OpenAI-compatible API, the `openai-compatible` fixture).
  static let vendors = VendorFixture.all.filter { $0.kind != .llamacpp }

  static func refusal(
    _ fixture: VendorFixture, status: Int, message: String
  ) async throws -> (LTBError?, Int) {
    try await withVendor(
      fixture,
      handler: { _, writer in
        try await writer.respond(status: status, body: fixture.errorBody(status, message))
      }
    ) { provider, server in
      let error = await expectLTBError {
        _ = try await provider.complete(Self.request, options: RequestOptions(stream: false))
      }
      return (error, chatRequests(server, fixture).count)
    }
  }

  @Test("an unsupported format: invalid request, the fix names the formats, sent once", arguments: vendors)
  func format(fixture: VendorFixture) async throws {
    let message = "Unsupported MIME type: image/bmp. The image format is not supported"
    let (error, sent) = try await Self.refusal(fixture, status: 400, message: message)
    #expect(error?.code == .invalidRequest)
    #expect(
      error?.message.contains("Unsupported MIME type: image/bmp") == true, "\(String(describing: error))")
    #expect(error?.fix?.contains("PNG, JPEG, WebP or GIF") == true, "\(String(describing: error?.fix))")
    #expect(sent == 1)
  }

  @Test(
    "an image over the size limit: invalid request, the fix says to send a smaller one", arguments: vendors)
  func size(fixture: VendorFixture) async throws {
    let message =
      "messages.0.content.1.image.source.base64: image exceeds 5 MB maximum: 5316852 bytes > 5242880 bytes"
    let (error, sent) = try await Self.refusal(fixture, status: 400, message: message)
    #expect(error?.code == .invalidRequest)
    #expect(error?.message.contains("image exceeds 5 MB maximum") == true)
    #expect(error?.fix?.contains("size limit") == true && error?.fix?.contains("libvips") == true)
    #expect(sent == 1)
  }

  @Test(
    "a model without image input answers 500: an unsupported capability, not retried, the fix names --mmproj",
    arguments: vendors)
  func noVision(fixture: VendorFixture) async throws {
    for message in [
      "image input is not supported - hint: if this is unexpected, you may need to provide the mmproj",
      "this model is missing data required for image input",
    ] {
      let (error, sent) = try await Self.refusal(fixture, status: 500, message: message)
      #expect(error?.code == .unsupportedCapability, "\(message)")
      #expect(error?.message.contains(message) == true)
      #expect(error?.fix?.contains("--mmproj") == true)
      #expect(sent == 1, "a refusal is not retried")
    }
    // A server fault about an image that is not a missing capability is still retried.
    let (error, sent) = try await Self.refusal(fixture, status: 500, message: "could not decode the image")
    #expect(error?.code == .server && sent == 3)
  }
}
